namespace Srs.Bench.Report;

/// <summary>
/// A progress line refreshed once a second: rewritten in place on a terminal, one line every
/// <c>redirectedEvery</c> when output goes to a file or pipe (so logs stay readable).
/// </summary>
public sealed class ConsoleProgress : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _inPlace = !Console.IsOutputRedirected;
    private int _lastLength;

    public ConsoleProgress(Func<string> line, TimeSpan? redirectedEvery = null)
    {
        var every = _inPlace ? TimeSpan.FromSeconds(1) : redirectedEvery ?? TimeSpan.FromSeconds(5);
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(every);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token)) Write(line());
            }
            catch (OperationCanceledException) { }
        });
    }

    /// <summary>Prints a whole line above the progress line.</summary>
    public void Print(string text)
    {
        lock (this)
        {
            if (_inPlace && _lastLength > 0) Console.Write("\r" + new string(' ', _lastLength) + "\r");
            _lastLength = 0;
            Console.WriteLine(text);
        }
    }

    private void Write(string text)
    {
        lock (this)
        {
            if (_inPlace)
            {
                Console.Write("\r" + text.PadRight(_lastLength));
                _lastLength = text.Length;
            }
            else
            {
                Console.WriteLine(text);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        lock (this)
        {
            if (_inPlace && _lastLength > 0) Console.WriteLine();
            _lastLength = 0;
        }
    }
}
