import ClusterAPI
import CommandLanguage
import EtcdClient

/// `member add|promote|remove|list`: etcd's cluster API from the console. An added member starts
/// through the same launcher and proxy as the founders, in the next free node place, so it gets a
/// pane, links and commands like any other.
extension EtcdCluster {
    /// Carries out one membership command.
    func changeMembership(_ change: MemberChange) async -> CommandOutput {
        switch change {
        case .add: await addLearner()
        case .promote(let node): await promote(node)
        case .remove(let ref):
            switch await resolve(ref) {
            case .failure(let error): .error(error.message)
            case .success(let node): await remove(node)
            }
        case .list: await listMembers()
        }
    }

    /// How long an added learner has to answer, and a promotion to find it caught up.
    static let membershipWaitMs = 15_000

    /// `wipe N` on etcd, by its documented procedure: N is removed, and a new member on an empty data
    /// directory joins in N's place as a learner and is promoted once it has caught up.
    func wipe(_ node: Int) async -> CommandOutput {
        let removed = await remove(node)
        guard removed.ok else { return removed }
        let added = await addLearner(preferring: node - 1)
        guard added.ok else { return CommandOutput(lines: removed.lines + added.lines, ok: false) }
        let promoted = await promote(node)
        guard promoted.ok else { return CommandOutput(lines: removed.lines + added.lines + promoted.lines, ok: false) }
        let memberID = members.all[node - 1].state?.etcd?.memberID ?? "?"
        return CommandOutput(lines: ["n\(node) wiped: removed, re-added on an empty data directory as member "
            + "\(memberID), caught up and promoted; \(quorumText)"])
    }

    private func addLearner(preferring preferred: Int? = nil) async -> CommandOutput {
        guard let index = members.claimPlace(limit: Self.memberSlots, preferring: preferred) else {
            return .error("the console shows at most \(Self.memberSlots) nodes: `member remove N` makes room")
        }
        let plan = processes.plans[index]
        let node = index + 1
        let ending = await callRetrying(EtcdMemberAddRequest(peerURLs: [plan.peerURL], isLearner: true),
                                        while: Self.unhealthy)
        guard case .success(let answer)? = ending else {
            members.releasePlace(index)
            return .error(ending.map { "member add: \($0.failureText)" } ?? Self.unhealthyText("add a member"))
        }
        let memberID = answer.member.map { EtcdStatusMapping.hex($0.id) } ?? "?"
        await processes.join(index, .joining(answer.members, as: plan))
        do {
            try await spawn(index)
        } catch {
            members.update(index) { $0.status = .down(reason: "did not start: \(error)") }
            return .error("etcd lists n\(node) (member \(memberID)), but it did not start: \(error); "
                + "`member remove \(node)` takes it out of the list")
        }
        hub.publish(.action("n\(node) joins as a learner (member \(memberID))"))
        let answered = await poll(forMs: Self.membershipWaitMs) { () async -> Bool? in
            await self.views().first { $0.id == node }?.state != nil ? true : nil
        }
        guard answered == true else {
            return .error("n\(node) (member \(memberID)) started but did not answer within "
                + "\(Self.membershipWaitMs / 1_000) s: see its log, \(plan.logPath)")
        }
        return CommandOutput(lines: ["n\(node) added as a learner: it copies the log, no vote until `member promote \(node)`"])
    }

    /// Promotes learner `node`, retrying while etcd says it has not caught up with the leader.
    private func promote(_ node: Int) async -> CommandOutput {
        let target: UInt64
        switch memberID(of: node) {
        case .failure(let reason): return .error(reason.message)
        case .success(let id): target = id
        }
        // etcd promotes only a learner whose log is close to the leader's.
        let ending = await callRetrying(EtcdMemberPromoteRequest(id: target), while: "in sync with leader")
        switch ending {
        case nil:
            return .error("etcd did not promote n\(node) within \(Self.membershipWaitMs / 1_000) s: "
                + "it has not caught up with the leader")
        case .failure(let failure)? where failure.description.hasSuffix("can only promote a learner member"):
            return .error("n\(node) votes already: only a learner can be promoted")
        case .failure(let failure)?:
            return .error("member promote \(node): \(failure)")
        case .success?:
            // The member says it votes once it has applied the change: the pane and the count wait
            // for that (a moment).
            _ = await poll(forMs: 3_000) { () async -> Bool? in
                await self.pollOnce()
                return self.members.all[node - 1].state?.role == .learner ? nil : true
            }
            hub.publish(.action("n\(node) promoted to a voting member"))
            return CommandOutput(lines: ["n\(node) is a voting member: \(quorumText)"])
        }
    }

    /// Takes `node` out of the cluster and stops it; its place goes to the next `member add`.
    private func remove(_ node: Int) async -> CommandOutput {
        let target: UInt64
        switch memberID(of: node) {
        case .failure(let reason): return .error(reason.message)
        case .success(let id): target = id
        }
        // From here its exit (etcd stops a member that learns it was removed) is no news.
        members.update(node - 1) { $0.removed = true }
        let ending = await callRetrying(EtcdMemberRemoveRequest(id: target), while: Self.unhealthy)
        guard case .success? = ending else {
            members.update(node - 1) { $0.removed = false }
            if case .failure(let failure)? = ending { return .error("member remove \(node): \(failure)") }
            return .error(Self.unhealthyText("remove n\(node)"))
        }
        let reason = "removed from the cluster"
        members.update(node - 1) { slot in
            slot.status = .down(reason: reason)
            slot.state = nil
        }
        await processes.kill(node - 1)
        await pool.discardAll(member: node - 1)
        hub.publish(.nodeStopped(node, reason: reason))
        return CommandOutput(lines: ["n\(node) removed from the cluster and stopped: \(quorumText)"])
    }

    /// `member list`: etcd's list, with the console's node ids.
    private func listMembers() async -> CommandOutput {
        let (ending, _) = await call(EtcdMemberListRequest(), as: "console", isWrite: false)
        guard case .success(let answer) = ending else { return .error("member list: \(ending.failureText)") }
        var lines = ["node  member id         role     peer URL                 client URL"]
        let byNode = answer.members.map { (node: book.node(ofMember: $0.id), member: $0) }
            .sorted { ($0.node ?? Int.max) < ($1.node ?? Int.max) }
        for (node, member) in byNode {
            let node = node.map { "n\($0)" } ?? "-"
            lines.append([node.padded(6), EtcdStatusMapping.hex(member.id).padded(18),
                          (member.isLearner ? "learner" : "voter").padded(9),
                          (member.peerURLs.first ?? "-").padded(25),
                          member.clientURLs.first ?? "(not started)"].joined())
        }
        return CommandOutput(lines: lines)
    }

    /// etcd's strict reconfiguration check: it changes membership only while every voting member
    /// has been connected for its health interval (5 s), and a removal leaves an active quorum.
    static let unhealthy = "unhealthy cluster"

    static func unhealthyText(_ change: String) -> String {
        "etcd would not \(change) for \(membershipWaitMs / 1_000) s: it changes membership only while every "
            + "voting member has been connected for 5 s and enough stay to form a quorum"
    }

    /// Sends a membership request (to the leader first), again while etcd's answer contains
    /// `retryable`, for up to `membershipWaitMs`.
    /// - Returns: how it ended, or nil when etcd still answered `retryable` at the end.
    private func callRetrying<Request: EtcdRequest>(_ request: Request, while retryable: String) async
        -> Result<Request.Response, EtcdAttemptFailure>? {
        await poll(forMs: Self.membershipWaitMs) { () async -> Result<Request.Response, EtcdAttemptFailure>? in
            let (ending, _) = await self.call(request, as: "console", isWrite: true)
            if case .failure(let failure) = ending, failure.description.contains(retryable) { return nil }
            return ending
        }
    }

    /// "4 voters, a quorum is 3": members that vote (down ones too), by their last status answer.
    private var quorumText: String {
        let voters = members.all.filter { !$0.removed && $0.state != nil && $0.state?.role != .learner }.count
        return "\(voters) voters, a quorum is \(voters / 2 + 1)"
    }

    /// The etcd member id of `node`, from its last status answer.
    func memberID(of node: Int) -> Result<UInt64, PartitionShapeError> {
        guard (1...nodeCount).contains(node) else {
            return .failure(PartitionShapeError("no node \(node): nodes are 1–\(nodeCount)"))
        }
        let slot = members.all[node - 1]
        if slot.removed { return .failure(PartitionShapeError("n\(node) is not a member: it was removed")) }
        guard let hex = slot.state?.etcd?.memberID, let id = UInt64(hex, radix: 16) else {
            return .failure(PartitionShapeError("n\(node)'s member id is not known yet (it has not answered the "
                + "status API)"))
        }
        return .success(id)
    }
}

extension Result where Failure == EtcdAttemptFailure {
    /// The failure's words ("" for a success).
    var failureText: String {
        if case .failure(let failure) = self { "\(failure)" } else { "" }
    }
}
