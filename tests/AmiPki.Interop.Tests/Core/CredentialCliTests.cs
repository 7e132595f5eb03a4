using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>The credential commands over the shared service (the admin API's): add, list without secrets, remove, refusals.</summary>
public sealed class CredentialCliTests
{
    [Test]
    public async Task An_EST_account_is_added_listed_removed_and_a_bad_profile_is_refused()
    {
        using var data = await DataDirectory.InitAsync();

        var added = await data.CliAsync("est-account", "add", "--name", "cli-hes", "--allowed-profiles", "hes-client");
        Assert.That(added.ExitCode, Is.EqualTo(0), added.Describe());
        Assert.That(added.StandardOutput, Does.Contain("secret (shown once): "));
        var secret = added.StandardOutput.Split("secret (shown once): ")[1].Trim();

        var listed = await data.CliAsync("est-account", "list");
        Assert.That(listed.StandardOutput, Does.Contain("cli-hes").And.Not.Contain(secret));

        var refused = await data.CliAsync("est-account", "add", "--name", "cli-bad", "--allowed-profiles", "network-device");
        Assert.That(refused.ExitCode, Is.Not.EqualTo(0));
        Assert.That(refused.StandardError, Does.Contain("profile network-device does not allow est"));

        var removed = await data.CliAsync("est-account", "remove", "cli-hes");
        Assert.That(removed.ExitCode, Is.EqualTo(0), removed.Describe());
        var again = await data.CliAsync("est-account", "remove", "cli-hes");
        Assert.That(again.ExitCode, Is.Not.EqualTo(0));
        Assert.That(again.StandardError, Does.Contain("no EST account named 'cli-hes'"));
        listed = await data.CliAsync("est-account", "list");
        Assert.That(listed.StandardOutput, Does.Contain("0 account(s)"));
    }
}
