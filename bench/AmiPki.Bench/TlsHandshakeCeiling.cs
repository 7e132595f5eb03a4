using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace AmiPki.Bench;

/// <summary>
/// This machine's own ceiling for mutually authenticated TLS handshakes: OpenSSL's `s_server` and `s_time` (the same
/// libssl AmiPki's server, the EST load generator and the meter simulator use) doing nothing but handshakes with P-256
/// certificates, each side's CPU per handshake measured. It frames the "one full handshake per enrollment" EST figure
/// (TLS 1.3) and the meter fleet (DTLS 1.2 runs the same ECDHE-ECDSA handshake as TLS 1.2, RFC 6347 §4.2): when client
/// and server share this machine's cores, no server can do more handshakes per second than this, before any HTTP,
/// CoAP or issuance work.
/// </summary>
public static partial class TlsHandshakeCeiling
{
    public sealed record Result(string Protocol, long Handshakes, double ServerCpuMilliseconds, double ClientCpuMilliseconds)
    {
        /// <summary>Handshakes/s if client and server shared this machine's cores and did nothing else.</summary>
        public double SharedBoundPerSecond => Environment.ProcessorCount * 1000 / (ServerCpuMilliseconds + ClientCpuMilliseconds);

        /// <summary>Handshakes/s if the server had this machine's cores to itself.</summary>
        public double ServerBoundPerSecond => Environment.ProcessorCount * 1000 / ServerCpuMilliseconds;
    }

    public static async Task<IReadOnlyList<Result>> MeasureAsync(TimeSpan duration)
    {
        var files = Directory.CreateTempSubdirectory("amipki-tlsceiling-");
        try
        {
            // Throwaway credentials for this measurement only, deleted with the directory.
            WriteCredentials(files.FullName);
            return
            [
                await MeasureAsync(files.FullName, "-tls1_3", "TLS 1.3", duration),
                await MeasureAsync(files.FullName, "-tls1_2", "TLS 1.2", duration),
            ];
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    public static void Print(IReadOnlyList<Result> results)
    {
        Console.WriteLine("Machine ceiling (mutually authenticated TLS handshakes, P-256, `openssl s_server` + `openssl s_time -new`, handshake only):");
        foreach (var r in results)
        {
            Console.WriteLine($"  {r.Protocol}: {r.Handshakes:N0} handshakes; CPU per handshake: server {r.ServerCpuMilliseconds:N2} ms, client {r.ClientCpuMilliseconds:N2} ms " +
                              $"=> {r.SharedBoundPerSecond:N0}/s with client and server sharing {Environment.ProcessorCount} cores, {r.ServerBoundPerSecond:N0}/s for a server alone");
        }
    }

    private static async Task<Result> MeasureAsync(string directory, string versionFlag, string protocol, TimeSpan duration)
    {
        var port = AmiPkiServerProcess.FreePort(SocketType.Stream, ProtocolType.Tcp);
        using var server = Process.Start(Openssl(directory, "s_server", "-accept", $"127.0.0.1:{port}", "-cert", "server.pem", "-key", "server.key",
            "-CAfile", "ca.pem", "-Verify", "2", "-quiet", versionFlag))
            ?? throw new InvalidOperationException("could not start openssl s_server (make peers installs openssl)");
        try
        {
            // s_server's per-connection chatter is drained and dropped, so a full pipe never stalls it.
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            await WaitForListenerAsync(port, server);
            var serverCpuBefore = server.TotalProcessorTime;
            // bash's `times` prints the CPU its children used: the client's own CPU, measured by the kernel.
            var seconds = Math.Max(1, (int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            var clientStart = new ProcessStartInfo("bash")
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            clientStart.ArgumentList.Add("-c");
            clientStart.ArgumentList.Add($"openssl s_time -connect 127.0.0.1:{port} -new -time {seconds} -cert client.pem -key client.key -CAfile ca.pem -verify 2 {versionFlag} 2>&1; times");
            using var client = Process.Start(clientStart) ?? throw new InvalidOperationException("could not start bash for openssl s_time");
            var output = await client.StandardOutput.ReadToEndAsync();
            await client.WaitForExitAsync();
            var serverCpu = (server.TotalProcessorTime - serverCpuBefore).TotalMilliseconds;
            var handshakes = ConnectionsLine().Match(output) is { Success: true } m
                ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                : throw new InvalidOperationException("openssl s_time printed no connection count:\n" + output);
            if (handshakes == 0)
            {
                throw new InvalidOperationException("openssl s_time completed no handshake:\n" + output);
            }
            var clientCpu = ChildrenTimes(output);
            return new Result(protocol, handshakes, serverCpu / handshakes, clientCpu / handshakes);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }
            await server.WaitForExitAsync();
        }
    }

    private static ProcessStartInfo Openssl(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    private static async Task WaitForListenerAsync(int port, Process server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await AmiPkiServerProcess.AcceptsTcpAsync(port))
        {
            if (server.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"openssl s_server did not listen on 127.0.0.1:{port} (exited: {server.HasExited})");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>The second line of bash's `times`: user and system CPU of its children, e.g. "0m1.234s 0m0.056s".</summary>
    private static double ChildrenTimes(string output)
    {
        var lines = TimesLine().Matches(output);
        if (lines.Count < 2)
        {
            throw new InvalidOperationException("bash `times` printed no children's CPU:\n" + output);
        }
        var children = lines[^1];
        static double Ms(Group minutes, Group seconds) =>
            (int.Parse(minutes.Value, CultureInfo.InvariantCulture) * 60 + double.Parse(seconds.Value, CultureInfo.InvariantCulture)) * 1000;
        return Ms(children.Groups[1], children.Groups[2]) + Ms(children.Groups[3], children.Groups[4]);
    }

    private static void WriteCredentials(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=AmiPki TLS ceiling CA (throwaway)", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem() + "\n");
        foreach (var (name, usage) in new[] { ("server", "1.3.6.1.5.5.7.3.1"), ("client", "1.3.6.1.5.5.7.3.2") })
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
            if (name == "server")
            {
                var san = new SubjectAlternativeNameBuilder();
                san.AddIpAddress(IPAddress.Loopback);
                request.CertificateExtensions.Add(san.Build());
            }
            using var leaf = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
            File.WriteAllText(Path.Combine(directory, name + ".pem"), leaf.ExportCertificatePem() + "\n");
            var keyFile = Path.Combine(directory, name + ".key");
            File.Create(keyFile).Dispose();
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        }
    }

    [GeneratedRegex(@"^(\d+) connections in [0-9.]+s", RegexOptions.Multiline)]
    private static partial Regex ConnectionsLine();

    [GeneratedRegex(@"(\d+)m([0-9.]+)s (\d+)m([0-9.]+)s")]
    private static partial Regex TimesLine();
}
