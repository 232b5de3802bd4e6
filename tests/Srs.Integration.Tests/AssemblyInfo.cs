// Each test class is a collection and starts its own node(s). The machine has 2 cores: at most
// two collections run at once ("conservative" in xunit.runner.json keeps async tests from
// starting more than that).
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
