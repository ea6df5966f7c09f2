import Cluster

extension LocalCluster {
    /// Shuts the cluster down; with a journal, first prints the digest of the final state, which
    /// `clusterdeck replay FILE --headless` reproduces from the journal.
    func finish() async {
        if options.journalPath != nil {
            for line in await digest() { say(line) }
        }
        await shutdown()
    }
}
