// Real node processes and ffmpeg clients on a small machine: one test at a time keeps timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
