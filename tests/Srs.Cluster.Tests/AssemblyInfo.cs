// Each test runs a cluster of node processes; one test at a time keeps the 2-core machine's timing honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
