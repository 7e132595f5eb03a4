using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>An invalid profile stops `amipki serve` with the file, the field and the reason.</summary>
public sealed class StartupValidationTests
{
    [Test]
    public async Task Invalid_profile_stops_start_up_naming_the_field()
    {
        using var data = await DataDirectory.InitAsync();
        var profiles = data.File("profiles");
        Directory.CreateDirectory(profiles);
        foreach (var file in Directory.GetFiles(RepositoryPaths.Profiles, "*.json"))
        {
            File.Copy(file, Path.Combine(profiles, Path.GetFileName(file)));
        }
        var dcu = Path.Combine(profiles, "dcu.json");
        await File.WriteAllTextAsync(dcu, (await File.ReadAllTextAsync(dcu)).Replace("\"digitalSignature\"", "\"signing\"", StringComparison.Ordinal));

        var serve = await ExternalProcess.RunAsync("dotnet",
            [RepositoryPaths.AmiPkiDll, "serve", "--data", data.Path, "--profiles", profiles, "--http-port", FreePort.Tcp().ToString(System.Globalization.CultureInfo.InvariantCulture), "--https-port", "0", "--coaps-port", "0"],
            null, TimeSpan.FromSeconds(60), AmiPkiServer.Environment);
        Assert.That(serve.ExitCode, Is.EqualTo(2), serve.Describe());
        Assert.That(serve.StandardError, Does.Contain($"invalid profile {dcu}: field 'keyUsage[0]': unknown key usage 'signing'"), serve.Describe());
    }

    [Test]
    public async Task Serve_on_an_uninitialised_directory_says_to_run_init()
    {
        var empty = Path.Combine(Path.GetTempPath(), "amipki-empty-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var serve = await ExternalProcess.RunAsync("dotnet", [RepositoryPaths.AmiPkiDll, "serve", "--data", empty, "--http-port", "0"], null,
                TimeSpan.FromSeconds(60), AmiPkiServer.Environment);
            Assert.That(serve.ExitCode, Is.Not.EqualTo(0));
            Assert.That(serve.StandardError, Does.Contain($"run `amipki init --data {empty}`"), serve.Describe());
            // It used to create the directory and an empty database before saying so; now it creates nothing.
            Assert.That(Directory.Exists(empty), Is.False, "serve created the data directory it refused");
        }
        finally
        {
            if (Directory.Exists(empty))
            {
                Directory.Delete(empty, recursive: true);
            }
        }
    }

    [Test]
    public async Task Init_refuses_to_overwrite_existing_CAs()
    {
        using var data = await DataDirectory.InitAsync();
        var again = await data.CliAsync("init");
        Assert.That(again.ExitCode, Is.EqualTo(1), again.Describe());
        Assert.That(again.StandardError, Does.Contain("refusing to overwrite"));
    }
}
