using System.Text.RegularExpressions;
using AmiPki.Interop.Tests.Crash;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Cmp;

/// <summary>
/// CMP state that a client relies on survives restarts and spans nodes (RFC 4210 §5.1.1 transactionID, §5.3.18 certConf):
/// driven by real <c>openssl cmp</c> and <c>curl</c> against real <c>amipki serve</c> processes — a saved request
/// re-posted after a restart is refused and issues nothing; an unconfirmed certificate is revoked after the confirm
/// wait even across a restart; a request whose messageTime is 10 minutes off (openssl under <c>faketime</c>) gets
/// badTime; on two nodes sharing PostgreSQL behind a relay that alternates nodes per connection, ir goes to one node and
/// certConf to the other, and a replay to the other node is refused.
/// </summary>
[CancelAfter(600_000)]
public sealed partial class CmpDurableStateInteropTests
{
    private const string Reference = "dcu-durable";
    private const int ConfirmWaitSeconds = 3;

    private string _work = null!;

    private string File(string name) => Path.Combine(_work, name);

    /// <summary>Short waits so that the unconfirmed-certificate path runs within the test (the defaults are 300 s and 15 s).</summary>
    private static Dictionary<string, string> ShortConfirmation(IDictionary<string, string>? environment = null) => new(environment ?? new Dictionary<string, string>())
    {
        ["AmiPki__Cmp__ConfirmWaitSeconds"] = ConfirmWaitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AmiPki__Cmp__SweepIntervalSeconds"] = "1",
    };

    [OneTimeSetUp]
    public void Start()
    {
        _work = Path.Combine(Path.GetTempPath(), "amipki-cmp-durable-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(_work);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    [GeneratedRegex(@"secret \(shown once\): (\S+)")]
    private static partial Regex SecretLine();

    [Test]
    public async Task A_saved_request_reposted_after_a_restart_is_refused_and_issues_nothing()
    {
        await using var server = await AmiPkiServer.StartAsync();
        var secret = await AddReferenceAsync(server);
        var key = await KeyAsync("replay");
        var ir = await CmpAsync(server.HttpPort, ["-cmd", "ir", .. Mac(secret), "-newkey", key, "-subject", "/CN=DCU-REPLAY-1", "-implicit_confirm",
            "-reqout", File("replay.ir.der"), "-certout", File("replay.pem")]);
        Assert.That(ir.ExitCode, Is.EqualTo(0), ir.Describe());
        var issued = await CountAsync(server);

        await server.KillAsync();
        await server.RestartAsync();
        var reply = await PostAsync(server.HttpPort, File("replay.ir.der"));
        Assert.That(reply, Does.Contain("transactionID already used"), "the replay is refused with transactionIdInUse after the restart");
        Assert.That(await CountAsync(server), Is.EqualTo(issued), "the replay issued nothing");
    }

    [Test]
    public async Task An_unconfirmed_certificate_is_revoked_after_the_wait_even_across_a_restart()
    {
        await using var server = await AmiPkiServer.StartAsync(environment: ShortConfirmation());
        var secret = await AddReferenceAsync(server);
        var key = await KeyAsync("unconfirmed");
        var ir = await CmpAsync(server.HttpPort, ["-cmd", "ir", .. Mac(secret), "-newkey", key, "-subject", "/CN=DCU-UNCONFIRMED-1", "-disable_confirm",
            "-certout", File("unconfirmed.pem")]);
        Assert.That(ir.ExitCode, Is.EqualTo(0), ir.Describe());
        var serial = await SerialAsync(File("unconfirmed.pem"));

        // Killed before the deadline: the deadline lives in storage, so the restarted node's sweep revokes it.
        await server.KillAsync();
        await server.RestartAsync();
        var revoked = await EventuallyAsync(async () => IsRevoked((await server.CliAsync("show", serial)).StandardOutput), TimeSpan.FromSeconds(60));
        Assert.That(revoked, Is.True, $"certificate {serial} was not revoked after the confirm wait; server log:\n{server.Log}");
        var show = await server.CliAsync("show", serial);
        Assert.That(show.StandardOutput, Does.Contain("essation"), show.Describe());
    }

    [Test]
    public async Task A_request_whose_messageTime_is_ten_minutes_off_gets_badTime()
    {
        await using var server = await AmiPkiServer.StartAsync();
        var secret = await AddReferenceAsync(server);
        var key = await KeyAsync("late");
        var before = await CountAsync(server);
        var ir = await ExternalProcess.RunAsync("faketime", ["-f", "-10m", "openssl", "cmp", "-server", $"127.0.0.1:{server.HttpPort}/.well-known/cmp",
            "-cmd", "ir", .. Mac(secret), "-newkey", key, "-subject", "/CN=DCU-LATE-1", "-certout", File("late.pem")], null, TimeSpan.FromSeconds(60));
        Assert.That(ir.ExitCode, Is.Not.EqualTo(0), ir.Describe());
        Assert.That(ir.StandardOutput + ir.StandardError, Does.Contain("PKIFailureInfo: badTime"), ir.Describe());
        Assert.That(await CountAsync(server), Is.EqualTo(before));
    }

    [Test]
    public async Task Two_nodes_without_affinity_answer_every_step_and_refuse_a_replay_on_the_other_node()
    {
        await using var storage = await TestStorage.CreateAsync(StorageKind.Postgres);
        await using var nodeA = await AmiPkiServer.StartAsync(environment: ShortConfirmation(storage.Environment("node-a")));
        var secret = await AddReferenceAsync(nodeA);
        await using var nodeB = await AmiPkiServer.StartAnotherNodeAsync(nodeA, ShortConfirmation(storage.Environment("node-b")));
        await using var relay = new RoundRobinRelay(nodeA.HttpPort, nodeB.HttpPort);

        // ir (connection 1, node A), certConf (connection 2, node B): openssl opens a connection per message.
        var key = await KeyAsync("cluster");
        var ir = await CmpAsync(relay.Port, ["-cmd", "ir", .. Mac(secret), "-newkey", key, "-subject", "/CN=DCU-CLUSTER-1", "-keep_alive", "0",
            "-reqout", $"{File("cluster.ir.der")},{File("cluster.certconf.der")}", "-certout", File("cluster.pem")]);
        Assert.That(ir.ExitCode, Is.EqualTo(0), ir.Describe() + "\nnode A:\n" + nodeA.Log + "\nnode B:\n" + nodeB.Log);
        Assert.That(ir.StandardOutput + ir.StandardError, Does.Contain("received PKICONF"), ir.Describe());
        Assert.That(relay.Connections, Is.GreaterThanOrEqualTo(2), "ir and certConf went over two connections, to two nodes");
        var serial = await SerialAsync(File("cluster.pem"));

        // The confirmed certificate stays good once the confirm wait is over (neither node revokes it as unconfirmed). A
        // later, unconfirmed certificate marks when a sweep has passed the first one's deadline: wait for its revocation.
        var marker = await KeyAsync("cluster-marker");
        var unconfirmed = await CmpAsync(relay.Port, ["-cmd", "ir", .. Mac(secret), "-newkey", marker, "-subject", "/CN=DCU-CLUSTER-MARKER", "-keep_alive", "0",
            "-disable_confirm", "-certout", File("cluster-marker.pem")]);
        Assert.That(unconfirmed.ExitCode, Is.EqualTo(0), unconfirmed.Describe());
        var markerSerial = await SerialAsync(File("cluster-marker.pem"));
        Assert.That(await EventuallyAsync(async () => IsRevoked((await nodeA.CliAsync("show", markerSerial)).StandardOutput), TimeSpan.FromSeconds(60)), Is.True,
            "the unconfirmed marker certificate is revoked by one of the nodes' sweeps");
        var show = await nodeB.CliAsync("show", serial);
        Assert.That(IsRevoked(show.StandardOutput), Is.False, show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("not revoked"), show.Describe());

        // The ir replayed to each node: both remember the transaction (it is in storage), neither issues again.
        var count = await CountAsync(nodeA);
        foreach (var node in new[] { nodeA, nodeB })
        {
            var reply = await PostAsync(node.HttpPort, File("cluster.ir.der"));
            Assert.That(reply, Does.Contain("transactionID already used"));
        }
        Assert.That(await CountAsync(nodeA), Is.EqualTo(count), "no second certificate");
    }

    /// <summary>What <c>amipki show</c> prints once revoked: a revocation line other than "not revoked".</summary>
    private static bool IsRevoked(string shown) =>
        shown.Split('\n').Any(line => line.StartsWith("revocation:", StringComparison.Ordinal) && !line.Contains("not revoked", StringComparison.Ordinal));

    private static string[] Mac(string secret) => ["-recipient", "/CN=AmiPki", "-ref", Reference, "-secret", "pass:" + secret];

    private static async Task<string> AddReferenceAsync(AmiPkiServer server)
    {
        var added = await server.CliAsync("cmp-credentials", "add", "--ref", Reference, "--profile", "dcu", "--reusable");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.Describe());
        return SecretLine().Match(added.StandardOutput).Groups[1].Value;
    }

    private static Task<ProcessResult> CmpAsync(int port, string[] arguments) =>
        ExternalProcess.RunAsync("openssl", ["cmp", "-server", $"127.0.0.1:{port}/.well-known/cmp", .. arguments], null, TimeSpan.FromSeconds(60));

    /// <summary>POSTs saved CMP request bytes with curl, as an attacker replaying a captured message would; returns the answer as openssl asn1parse prints it.</summary>
    private async Task<string> PostAsync(int port, string requestFile)
    {
        var answer = requestFile + ".reply-" + Guid.NewGuid().ToString("N")[..6];
        var post = await ExternalProcess.RunAsync("curl", ["-sS", "--max-time", "30", "-H", "Content-Type: application/pkixcmp", "--data-binary", "@" + requestFile,
            "-o", answer, "-w", "%{http_code}", $"http://127.0.0.1:{port}/.well-known/cmp"], null, TimeSpan.FromSeconds(60));
        Assert.That(post.StandardOutput.Trim(), Is.EqualTo("200"), post.Describe());
        var parsed = await ExternalProcess.RunAsync("openssl", "asn1parse", "-inform", "DER", "-in", answer);
        Assert.That(parsed.ExitCode, Is.EqualTo(0), parsed.Describe());
        return parsed.StandardOutput;
    }

    private async Task<string> KeyAsync(string name)
    {
        var key = File(name + ".key");
        await ExternalProcess.RunCheckedAsync("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
        return key;
    }

    private static async Task<string> SerialAsync(string certificate)
    {
        var result = await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", certificate, "-noout", "-serial");
        return result.StandardOutput.Trim()["serial=".Length..];
    }

    /// <summary>dcu certificates the node lists (every state): what a replay must not add to.</summary>
    private static async Task<int> CountAsync(AmiPkiServer server)
    {
        var list = await server.CliAsync("list", "--profile", "dcu", "--limit", "10000");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.Describe());
        return list.StandardOutput.Split('\n').Count(line => line.Contains("CN=DCU-", StringComparison.Ordinal));
    }

    /// <summary>Polls a condition until it holds or the bound passes (a bounded wait for an event, not a timing assertion).</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan bound)
    {
        var until = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(500);
        }
        return await condition();
    }
}
