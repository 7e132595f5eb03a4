using System.Security.Cryptography.X509Certificates;
using AmiPki.Interop.Tests.Api;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>
/// Operator experience of the <c>amipki</c> process: <c>revoke SERIAL…</c> positional like <c>show SERIAL</c>, one status
/// vocabulary and one spelling of RFC 5280 reasons in <c>show</c> and <c>list</c>, and parse errors that never echo what
/// was typed (a PIN after a misspelt option).
/// </summary>
public sealed class OperatorCliTests
{
    private const string Secret = "1234secret";

    [Test]
    public async Task Revoke_takes_positional_serials_and_show_and_list_speak_one_vocabulary()
    {
        using var data = await DataDirectory.InitAsync();
        using var first = await ApiClients.IssueAsync(data.Path, "hes-client", "cli-revoke-1");
        using var second = await ApiClients.IssueAsync(data.Path, "hes-client", "cli-revoke-2");
        using var third = await ApiClients.IssueAsync(data.Path, "hes-client", "cli-revoke-3");

        var revoked = await data.CliAsync("revoke", first.SerialNumber, second.SerialNumber, "--reason", "key-compromise");
        Assert.That(revoked.ExitCode, Is.EqualTo(0), revoked.Describe());
        Assert.That(revoked.StandardOutput, Does.Contain("2 certificate(s) revoked (keyCompromise)"), revoked.Describe());

        var show = await data.CliAsync("show", first.SerialNumber);
        Assert.That(show.ExitCode, Is.EqualTo(0), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("state:       revoked"), show.Describe());
        Assert.That(show.StandardOutput, Does.Contain("revocation:  keyCompromise at "), show.Describe());

        var held = await data.CliAsync("revoke", third.SerialNumber, "--hold");
        Assert.That(held.ExitCode, Is.EqualTo(0), held.Describe());
        show = await data.CliAsync("show", third.SerialNumber);
        Assert.That(show.StandardOutput, Does.Contain("state:       on-hold").And.Contain("revocation:  certificateHold at "), show.Describe());

        var list = await data.CliAsync("list", "--profile", "hes-client");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.Describe());
        Assert.That(Line(list.StandardOutput, first), Does.Contain(" revoked "), list.StandardOutput);
        Assert.That(Line(list.StandardOutput, third), Does.Contain(" on-hold "), list.StandardOutput);

        // Mixing the ways of naming targets is refused with one line, and changes nothing.
        var both = await data.CliAsync("revoke", third.SerialNumber, "--serial", third.SerialNumber);
        Assert.That(both.ExitCode, Is.Not.EqualTo(0), both.Describe());
        Assert.That(both.StandardError.Trim(), Is.EqualTo("amipki: give serials either as arguments (revoke SERIAL…) or with --serial, not both"));
        var mixed = await data.CliAsync("revoke", third.SerialNumber, "--dcu", "DCU-1");
        Assert.That(mixed.ExitCode, Is.Not.EqualTo(0), mixed.Describe());
        Assert.That(mixed.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(mixed.StandardError, Does.Contain("name exactly one target"));
        var none = await data.CliAsync("revoke");
        Assert.That(none.StandardError, Does.Contain("name what to revoke: SERIAL…"), none.Describe());

        // --serial still works, and an unknown single serial still fails.
        var released = await data.CliAsync("revoke", "--serial", third.SerialNumber, "--release");
        Assert.That(released.StandardOutput, Does.Contain("1 certificate(s) released"), released.Describe());
        var missing = await data.CliAsync("revoke", "0BADC0DE");
        Assert.That(missing.ExitCode, Is.EqualTo(4), missing.Describe());
    }

    [TestCase("serve", "--pkcs11-pin-source", Secret)]
    [TestCase("serve", "--pkcs11-pin-source=" + Secret)]
    [TestCase("serve", "--pkcs11-pin-sauce", Secret)]
    [TestCase("serve", "--pkcs11-pin-sauce=" + Secret)]
    [TestCase("serve", "--http-port", Secret)]
    [TestCase("issue", "--pkcs11-pin-source", Secret, "--profile", "hes-client", "--csr", "missing.csr", "--out", "out.pem")]
    [TestCase("issue", "--pin", Secret, "--profile", "hes-client", "--csr", "missing.csr", "--out", "out.pem")]
    [TestCase("revoke", "--pkcs11-pin-source", Secret)]
    [TestCase("list", Secret)]
    [TestCase("--passphrase", Secret, "list")]
    public async Task A_value_that_may_be_a_secret_is_never_echoed(params string[] arguments)
    {
        var data = Path.Combine(Path.GetTempPath(), "amipki-bogus-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var result = await AmiPkiServer.RunCliAsync(data, arguments);
            Assert.That(result.ExitCode, Is.Not.EqualTo(0), result.Describe());
            Assert.That(result.StandardOutput + result.StandardError, Does.Not.Contain(Secret), result.Describe());
            Assert.That(result.StandardError, Does.StartWith("amipki: "), result.Describe());
            if (arguments.Any(a => a.StartsWith("--pkcs11-pin-sauce", StringComparison.Ordinal)))
            {
                Assert.That(result.StandardError, Does.Contain("unrecognized option '--pkcs11-pin-sauce' (run amipki serve --help)"), result.Describe());
            }
            if (arguments is ["serve", "--pkcs11-pin-source", ..] or ["issue", "--pkcs11-pin-source", ..])
            {
                // serve and issue have the README's online-token options; a PIN typed where its source belongs is refused.
                Assert.That(result.StandardError, Does.Contain("a PKCS#11 PIN source must be 'env:VARIABLE' or 'file:PATH'"), result.Describe());
            }
            if (arguments is ["serve", "--http-port", ..])
            {
                Assert.That(result.StandardError, Does.Contain("option '--http-port' expects a whole number"), result.Describe());
                Assert.That(result.StandardError, Does.Not.Contain("System."), result.Describe());
            }
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Test]
    public async Task Serve_and_issue_offer_the_online_token_options_the_README_lists()
    {
        foreach (var command in new[] { "serve", "issue" })
        {
            var help = await AmiPkiServer.RunCliAsync(Path.GetTempPath(), command, "--help");
            Assert.That(help.ExitCode, Is.EqualTo(0), help.Describe());
            Assert.That(help.StandardOutput, Does.Contain("--pkcs11-module").And.Contain("--pkcs11-token").And.Contain("--pkcs11-pin-source"), help.Describe());
            Assert.That(help.StandardOutput, Does.Not.Contain("--pkcs11-root-token"), "serve and issue never open the root token");
        }
    }

    private static string Line(string output, X509Certificate2 certificate) =>
        output.Split('\n').Single(l => l.StartsWith(certificate.SerialNumber, StringComparison.OrdinalIgnoreCase));
}
