using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Install;

/// <summary>
/// <c>make install</c> / <c>make uninstall</c> for real: <c>dotnet publish</c> (of the already built CLI, <c>--no-build</c>,
/// so the test does not rebuild what it runs from) into a temporary directory, then the Makefile's install into a staged
/// DESTDIR and into a temporary PREFIX whose <c>bin/amipki</c> is run.
/// </summary>
public sealed class MakeInstallTests
{
    [Test]
    public async Task Make_install_puts_an_amipki_wrapper_on_bin_that_finds_its_profiles_and_uninstall_removes_it()
    {
        var work = Directory.CreateTempSubdirectory("amipki-install-");
        try
        {
            var publish = Path.Combine(work.FullName, "publish");
            var destdir = Path.Combine(work.FullName, "stage");
            var staged = await MakeAsync("install", $"DESTDIR={destdir}", "PREFIX=/usr", $"PUBLISH_DIR={publish}", "PUBLISH_FLAGS=--no-build");
            Assert.That(staged.ExitCode, Is.EqualTo(0), staged.Describe());
            var wrapper = Path.Combine(destdir, "usr", "bin", "amipki");
            Assert.That(File.Exists(wrapper), wrapper);
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(wrapper).HasFlag(UnixFileMode.UserExecute | UnixFileMode.OtherExecute));
            }
            Assert.That(await File.ReadAllTextAsync(wrapper), Does.Contain("exec dotnet /usr/lib/amipki/amipki.dll \"$@\""));
            Assert.That(File.Exists(Path.Combine(destdir, "usr", "lib", "amipki", "amipki.dll")));
            Assert.That(Directory.GetFiles(Path.Combine(destdir, "usr", "lib", "amipki", "profiles"), "*.json"), Is.Not.Empty);
            // The staged wrapper names its final place (/usr/lib/amipki), so it runs once installed there; run the staged
            // files through the same command it holds, rooted in the stage.
            var stagedHelp = await ExternalProcess.RunAsync("sh", "-c",
                (await File.ReadAllTextAsync(wrapper)).Replace("/usr/lib/amipki", Path.Combine(destdir, "usr", "lib", "amipki"), StringComparison.Ordinal), "amipki", "--help");
            Assert.That(stagedHelp.ExitCode, Is.EqualTo(0), stagedHelp.Describe());

            // Installed for real into a PREFIX: bin/amipki runs and finds the shipped profiles with no --profiles.
            var prefix = Path.Combine(work.FullName, "prefix");
            var installed = await MakeAsync("install", $"PREFIX={prefix}", $"PUBLISH_DIR={publish}", "NO_PUBLISH=1");
            Assert.That(installed.ExitCode, Is.EqualTo(0), installed.Describe());
            var amipki = Path.Combine(prefix, "bin", "amipki");
            var help = await ExternalProcess.RunAsync(amipki, "--help");
            Assert.That(help.ExitCode, Is.EqualTo(0), help.Describe());
            Assert.That(help.StandardOutput, Does.Contain("amipki [command] [options]").And.Contain("jobs").And.Contain("crl"));
            var profiles = await ExternalProcess.RunAsync(amipki, "profiles", "list");
            Assert.That(profiles.ExitCode, Is.EqualTo(0), profiles.Describe());
            Assert.That(profiles.StandardOutput, Does.Contain("admin-operator"), profiles.StandardOutput);

            var uninstalled = await MakeAsync("uninstall", $"PREFIX={prefix}");
            Assert.That(uninstalled.ExitCode, Is.EqualTo(0), uninstalled.Describe());
            Assert.That(File.Exists(amipki), Is.False);
            Assert.That(Directory.Exists(Path.Combine(prefix, "lib", "amipki")), Is.False);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static Task<ProcessResult> MakeAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("make", ["-C", RepositoryPaths.Root, .. arguments, $"CONFIGURATION={RepositoryPaths.Configuration}"], null, TimeSpan.FromMinutes(5));
}
