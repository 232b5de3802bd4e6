// The tests time real processes on a small machine: one at a time keeps the timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
