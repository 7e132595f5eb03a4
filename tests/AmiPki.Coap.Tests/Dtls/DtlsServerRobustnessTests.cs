using System.Net;
using System.Net.Sockets;
using AmiPki.Coap.Dtls;
using AmiPki.Coap.Tests.Support;
using NUnit.Framework;

namespace AmiPki.Coap.Tests.Dtls;

[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class DtlsServerRobustnessTests
{
    [Test]
    public async Task Random_datagrams_and_mangled_client_hellos_leave_the_server_serving()
    {
        using var pki = new TestCertificates();
        await using var server = new DtlsServerTransport(FreePort.LoopbackAny(), new DtlsServerOptions
        {
            Credentials = pki.ServerCredentials,
            ClientCertificateValidator = pki.IsIssuedByTestCa,
            HandshakeTimeout = TimeSpan.FromSeconds(1),
        });
        server.Start(datagram => _ = server.SendAsync(datagram.Peer, datagram.Data, CancellationToken.None));

        int seed = Environment.TickCount;
        TestContext.Out.WriteLine($"random seed: {seed}");
        var random = new Random(seed);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        for (int i = 0; i < 3000; i++)
        {
            var datagram = new byte[random.Next(0, 300)];
            random.NextBytes(datagram);
            if (datagram.Length >= 25 && random.Next(2) == 0)
            {
                // Make it pass the ClientHello filter so it reaches DTLSv1_listen.
                datagram[0] = 22;
                datagram[1] = 0xFE;
                datagram[2] = 0xFD;
                datagram[3] = 0;
                datagram[4] = 0;
                datagram[13] = 1;
            }

            udp.SendTo(datagram, server.LocalEndPoint);
        }

        await using var client = await DtlsClient.ConnectAsync(server.LocalEndPoint, new DtlsClientOptions
        {
            Credentials = pki.ClientCredentials,
            ServerCertificateValidator = pki.IsIssuedByTestCa,
            HandshakeTimeout = TimeSpan.FromSeconds(20),
        }, CancellationToken.None);
        await client.SendAsync("alive"u8.ToArray(), CancellationToken.None);
        Assert.That(await client.ReceiveAsync(TestContext.CurrentContext.CancellationToken), Is.EqualTo("alive"u8.ToArray()));
        Assert.That(server.SessionCount, Is.EqualTo(1), "no session was created for the noise");
    }
}
