namespace Srs.Actors; internal static class Placeholder {}
