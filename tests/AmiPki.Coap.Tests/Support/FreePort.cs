using System.Net;
using System.Net.Sockets;

namespace AmiPki.Coap.Tests.Support;

public static class FreePort
{
    /// <summary>A loopback UDP endpoint on port 0: the OS picks a free port at bind time.</summary>
    public static IPEndPoint LoopbackAny() => new(IPAddress.Loopback, 0);

    public static IPEndPoint Peer(int port = 40000) => new(IPAddress.Parse("127.0.0.1"), port);

    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
