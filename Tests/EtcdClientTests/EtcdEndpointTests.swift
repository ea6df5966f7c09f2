import Testing
import EtcdClient

@Suite struct EtcdEndpointTests {
    @Test func listsParseWithOrWithoutTheScheme() throws {
        let endpoints = try EtcdEndpoint.list("http://127.0.0.1:2379/, localhost:22379")
        #expect(endpoints == [EtcdEndpoint(host: "127.0.0.1", port: 2379),
                              EtcdEndpoint(host: "localhost", port: 22379)])
        #expect(endpoints[0].description == "127.0.0.1:2379")
    }

    @Test func badEndpointsAreNamed() {
        #expect(throws: EtcdError.invalidEndpoint("https://a:1: only http:// is supported")) {
            try EtcdEndpoint.list("https://a:1")
        }
        #expect(throws: EtcdError.invalidEndpoint("a:0 is not HOST:PORT or http://HOST:PORT")) {
            try EtcdEndpoint.list("a:0")
        }
        #expect(throws: EtcdError.invalidEndpoint(":80 is not HOST:PORT or http://HOST:PORT")) {
            try EtcdEndpoint.list(":80")
        }
        #expect(throws: EtcdError.invalidEndpoint("--endpoints lists no endpoint")) {
            try EtcdEndpoint.list(",")
        }
    }
}
