import Cluster
import ClusterAPI
import CommandLanguage

/// The journal of an etcd run: what the console showed, for `clusterdeck replay` — every event as the
/// back end publishes it, and each member's view and the cluster's settings after every status poll
/// (etcd's members have no frames to record; the proxy's per-link traffic is in the settings).
struct JournalState: ~Copyable {
    var journal: Journal?
    /// Set by `digest()`: the views journaled last are the digest's, so `replay --headless` ends on
    /// the same fingerprint; the poller may still be finishing a round.
    var viewsSealed = false

    mutating func close() {
        journal?.close()
        journal = nil
    }
}

extension EtcdCluster {
    /// Opens the journal when the options ask for one and records every event from now on.
    /// - Throws: `EtcdStartError` when the file cannot be created.
    func openJournal() async throws {
        guard let path = options.journalPath else { return }
        let (summary, nodes, rotateBytes) = (await summary(), nodeCount, options.journalRotateBytes)
        // Made inside the lock: the journal never leaves it.
        let opened = journal.withLock { state -> Bool in
            guard let created = Journal(path: path, rotateBytes: rotateBytes) else { return false }
            created.begin(nodes: nodes, summary: summary, engine: EngineKind.etcd.rawValue)
            state.journal = created
            return true
        }
        guard opened else { throw EtcdStartError("cannot create the journal \(path)") }
        hub.subscribe { [weak self] event in
            guard let self else { return }
            self.journal.withLock { $0.journal?.record(event, atSeconds: self.now) }
        }
        await journalChanges()
    }

    /// Journals the views and settings that changed since the last call.
    func journalChanges() async {
        guard journal.withLock({ $0.journal != nil && !$0.viewsSealed }) else { return }
        let views = await views()
        let summary = await summary()
        journal.withLock { state in
            guard !state.viewsSealed else { return }
            state.journal?.noteChanges(views: views, summary: summary, atSeconds: now)
        }
    }

    /// The digest of the cluster now; with a journal, its last views are these (no later poll
    /// changes them), so a replay of the journal ends on the same fingerprint.
    public func digest() async -> [String] {
        let views = await views()
        let summary = await summary()
        journal.withLock { state in
            state.journal?.noteChanges(views: views, summary: summary, atSeconds: now)
            state.viewsSealed = true
        }
        return ClusterDigest.lines(views: views, summary: summary)
    }
}
