import Raft
import Testing
@testable import Services

@Suite("Lock service")
struct LockTests {
    @Test("a free lock is granted; a second client queues; release hands it on with a larger token")
    func grantQueueRelease() throws {
        var replica = Replica()
        let first = try #require(replica.token(replica.acquire("L", 1)))
        #expect(replica.acquire("L", 2) == .queued(position: 1))
        #expect(replica.state.holder(of: "L")?.client == 1)
        #expect(replica.release("L", 1) == .released)
        let holder = try #require(replica.state.holder(of: "L"))
        #expect(holder.client == 2)
        #expect(holder.token > first)
        #expect(replica.release("L", 1) == .notHeld)
        #expect(replica.release("nothing", 1) == .notHeld)
    }

    @Test("tokens strictly increase across every grant: release, expiry, and a snapshot/restore")
    func tokensIncrease() throws {
        var replica = Replica()
        var tokens: [Int] = []
        tokens.append(try #require(replica.token(replica.acquire("L", 1, ttl: 100))))
        replica.release("L", 1)
        tokens.append(try #require(replica.token(replica.acquire("L", 2, ttl: 100))))
        replica.clock(500) // client 2's lease lapses
        #expect(replica.state.holder(of: "L") == nil)
        tokens.append(try #require(replica.token(replica.acquire("L", 3, ttl: 100))))
        // Restore from a snapshot: the counter survives.
        replica.state = try ServiceState(snapshotData: replica.state.snapshotData())
        replica.release("L", 3)
        tokens.append(try #require(replica.token(replica.acquire("L", 1, ttl: 100))))
        #expect(tokens.count == 4)
        #expect(zip(tokens, tokens.dropFirst()).allSatisfy { $0 < $1 }, "tokens \(tokens)")
    }

    @Test("re-acquiring by the holder renews the lease and keeps the token")
    func reacquireRenews() throws {
        var replica = Replica()
        let token = try #require(replica.token(replica.acquire("L", 1, ttl: 100)))
        replica.clock(80)
        #expect(replica.acquire("L", 1, ttl: 100) == .granted(token: token))
        #expect(replica.state.holder(of: "L")?.expiresAtMs == 180)
        replica.clock(150) // past the first lease's end, inside the renewed one
        #expect(replica.state.holder(of: "L")?.client == 1)
        #expect(replica.state.holder(of: "L")?.token == token)
    }

    @Test("a holder's lease expires only when the clock passes it")
    func expiryBoundary() {
        var replica = Replica()
        replica.clock(1000)
        replica.acquire("L", 1, ttl: 100) // until 1100
        replica.clock(1099)
        #expect(replica.state.holder(of: "L")?.client == 1)
        replica.clock(1100)
        #expect(replica.state.holder(of: "L")?.client == 1, "at the deadline it still holds")
        replica.clock(1101)
        #expect(replica.state.holder(of: "L") == nil)
    }

    @Test("a paused client (no renew) loses the lock and the waiter gets a larger token")
    func pausedClientLoses() throws {
        var replica = Replica()
        let old = try #require(replica.token(replica.acquire("L", 1, ttl: 100)))
        #expect(replica.acquire("L", 2, ttl: 100) == .queued(position: 1))
        // Client 2 keeps renewing; client 1 is paused (a GC pause, SIGSTOP).
        for now in stride(from: 50, through: 300, by: 50) {
            replica.clock(now)
            replica.renew(2)
        }
        let holder = try #require(replica.state.holder(of: "L"))
        #expect(holder.client == 2)
        #expect(holder.token > old)
        // Client 1 wakes up and finds its leases gone.
        #expect(replica.renew(1) == .renewed(leases: 0))
        #expect(replica.release("L", 1) == .notHeld)
    }

    @Test("renew extends holder and waiter leases from the current time")
    func renewExtends() {
        var replica = Replica()
        replica.acquire("A", 1, ttl: 100)
        replica.acquire("B", 2, ttl: 100)
        replica.acquire("B", 1, ttl: 200) // client 1 waits on B
        replica.campaign("E", 1, "v", ttl: 300)
        replica.clock(90)
        #expect(replica.renew(1) == .renewed(leases: 3))
        #expect(replica.state.holder(of: "A")?.expiresAtMs == 190)
        replica.clock(150) // client 2's lease on B (until 100) lapses: client 1, renewed until 290, takes it
        #expect(replica.state.holder(of: "B")?.client == 1)
        #expect(replica.state.holder(of: "A")?.client == 1)
    }

    @Test("waiters are served first come, first served")
    func fifo() {
        var replica = Replica()
        replica.acquire("L", 1)
        #expect(replica.acquire("L", 4) == .queued(position: 1))
        #expect(replica.acquire("L", 2) == .queued(position: 2))
        #expect(replica.acquire("L", 3) == .queued(position: 3))
        #expect(replica.acquire("L", 4) == .queued(position: 1), "asking again keeps the place")
        #expect(replica.state.locks().first?.waiters == [4, 2, 3])
        var order: [UInt64] = []
        for _ in 0..<4 {
            guard let holder = replica.state.holder(of: "L") else { break }
            order.append(holder.client)
            replica.release("L", holder.client)
        }
        #expect(order == [1, 4, 2, 3])
        #expect(replica.state.holder(of: "L") == nil)
    }

    @Test("a waiter that releases leaves the queue; an expired waiter is dropped")
    func waitersLeave() {
        var replica = Replica()
        replica.acquire("L", 1, ttl: 1000)
        replica.acquire("L", 2, ttl: 1000)
        replica.acquire("L", 3, ttl: 50)
        replica.acquire("L", 4, ttl: 1000)
        #expect(replica.release("L", 2) == .withdrawn)
        replica.clock(60) // waiter 3 lapses
        #expect(replica.state.locks().first?.waiters == [4])
        replica.release("L", 1)
        #expect(replica.state.holder(of: "L")?.client == 4)
    }

    @Test("the lock listing shows holder, token, lease left and waiters")
    func listing() throws {
        var replica = Replica()
        replica.clock(1000)
        let token = try #require(replica.token(replica.acquire("b", 1, ttl: 500)))
        replica.acquire("b", 2)
        replica.acquire("a", 3, ttl: 100)
        replica.clock(1200)
        #expect(replica.state.locks() == [
            LockInfo(name: "a", holder: nil, token: 1, leaseRemainingMs: nil, waiters: []),
            LockInfo(name: "b", holder: 1, token: token, leaseRemainingMs: 300, waiters: [2]),
        ])
    }

    @Test("a fenced put with an old token is refused once a newer token has written")
    func fencing() throws {
        var replica = Replica()
        let old = try #require(replica.token(replica.acquire("L", 1, ttl: 100)))
        replica.acquire("L", 2, ttl: 1000)
        replica.clock(200) // client 1 paused past its lease; client 2 takes over
        let new = try #require(replica.state.holder(of: "L")?.token)
        #expect(new > old)
        #expect(replica.put("file", "from 2", fence: new) == .applied(previous: nil))
        #expect(replica.put("file", "from 1", fence: old) == .fenced(highest: new))
        #expect(replica.state.value(of: "file") == "from 2")
        #expect(replica.state.fence(of: "file") == new)
        #expect(replica.put("file", "again", fence: new) == .applied(previous: "from 2"), "the same token may write again")
        #expect(replica.put("file", "unfenced", fence: nil) == .applied(previous: "again"))
        #expect(replica.put("other", "x", fence: old) == .applied(previous: nil), "fences are per key")
    }

    @Test("a retried lock command applies once and gets its first result back")
    func dedupe() throws {
        var replica = Replica()
        let session = ClientSession(clientID: 9, sequence: 1)
        let first = replica.acquire("L", 9, ttl: 100, session: session)
        let token = try #require(replica.token(first))
        replica.release("L", 9)
        replica.acquire("L", 5, ttl: 100)
        // The retry of the first acquire must not take the lock from client 5.
        #expect(replica.acquire("L", 9, ttl: 100, session: session) == first)
        #expect(replica.state.holder(of: "L")?.client == 5)
        #expect(replica.state.holder(of: "L")?.token == token + 1)
        #expect(replica.acquire("L", 9, ttl: 100, session: ClientSession(clientID: 9, sequence: 0)) == .staleSequence)
        #expect(replica.state.locks().first?.waiters == [])
    }

    @Test("tables are bounded with a clear result")
    func bounds() {
        var replica = Replica(limits: ServiceLimits(locks: 2, waitersPerLock: 2, elections: 1, candidatesPerElection: 1))
        replica.acquire("A", 1)
        replica.acquire("A", 2)
        replica.acquire("A", 3)
        #expect(replica.acquire("A", 4) == .tooMany(limit: 2))
        replica.acquire("B", 1)
        #expect(replica.acquire("C", 1) == .tooMany(limit: 2), "every lock is busy")
        replica.release("B", 1)
        #expect(replica.acquire("C", 1) == .granted(token: 2), "a free lock is forgotten; its token is the floor")
        #expect(replica.state.locks().map(\.name) == ["A", "C"])
        replica.campaign("E", 1, "x")
        replica.campaign("E", 2, "y")
        #expect(replica.campaign("E", 3, "z") == .tooMany(limit: 1))
        #expect(replica.campaign("F", 3, "z") == .tooMany(limit: 1))
        #expect(replica.acquire("A", 9, ttl: 0) == .invalid(reason: "ttl must be positive, not 0"))
        #expect(replica.acquire("", 9) == .invalid(reason: "empty name"))
    }

    @Test("a lock forgotten to make room never reissues a token")
    func forgottenLockTokens() throws {
        var replica = Replica(limits: ServiceLimits(locks: 1))
        for _ in 0..<3 {
            replica.acquire("A", 1)
            replica.release("A", 1)
        }
        replica.acquire("B", 1) // forgets A, whose last token was 3
        replica.release("B", 1)
        let again = try #require(replica.token(replica.acquire("A", 1)))
        #expect(again > 4, "A's new tokens start above everything A and B were granted (got \(again))")
    }
}
