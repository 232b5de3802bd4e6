namespace Srs.Bench.Cluster;

/// <summary>What a phase hands back for the common part of its report: its traffic window, its directory changes, its RESULT fields.</summary>
public sealed record PhaseOutcome(TrafficReading From, TrafficReading To, long Changes, string Fields, bool Passed);
