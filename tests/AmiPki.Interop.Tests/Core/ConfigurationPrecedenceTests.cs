using System.Collections;
using AmiPki.Server.Configuration;

namespace AmiPki.Interop.Tests.Core;

/// <summary>
/// <see cref="AmiPkiConfiguration"/> in-process: the sources' order (appsettings, AmiPki__, AMIPKI_, special variables,
/// command line), what each value is said to come from, and the variables that are not configuration.
/// </summary>
public sealed class ConfigurationPrecedenceTests
{
    private string _appSettings = null!;

    [SetUp]
    public void WriteAppSettings()
    {
        _appSettings = Path.Combine(Path.GetTempPath(), "amipki-appsettings-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        File.WriteAllText(_appSettings, """{ "AmiPki": { "HttpPort": 1111, "NodeName": "from-file", "Cmp": { "ConfirmWaitSeconds": 11 }, "Scep": { "RaKeySize": 3072 } } }""");
    }

    [TearDown]
    public void Delete() => File.Delete(_appSettings);

    private AmiPkiConfiguration Build(Dictionary<string, string> environment, params CommandLineValue[] commandLine) =>
        AmiPkiConfiguration.Build(commandLine, () => new Hashtable(environment), _appSettings);

    [Test]
    public void Later_sources_win_and_each_value_names_its_source()
    {
        var configuration = Build(new()
        {
            ["AmiPki__Cmp__ConfirmWaitSeconds"] = "22",
            ["AMIPKI_Cmp__ConfirmWaitSeconds"] = "33",
            ["AmiPki__NodeName"] = "from-host-variable",
            ["AMIPKI_DataDirectory"] = "/spelled-out",
            ["AMIPKI_DATA"] = "/special",
            ["AMIPKI_HttpPort"] = "2222",
        }, new CommandLineValue("AmiPki:HttpPort", "--http-port", "3333"));

        Assert.That(configuration.Errors, Is.Empty);
        Assert.That(configuration.Options.HttpPort, Is.EqualTo(3333));
        Assert.That(configuration.SourceOf("AmiPki:HttpPort"), Is.EqualTo("command line --http-port"));
        Assert.That(configuration.Options.NodeName, Is.EqualTo("from-host-variable"));
        Assert.That(configuration.SourceOf("AmiPki:NodeName"), Is.EqualTo("environment AmiPki__NodeName"));
        Assert.That(configuration.Options.DataDirectory, Is.EqualTo("/special"));
        Assert.That(configuration.SourceOf("AmiPki:DataDirectory"), Is.EqualTo("environment AMIPKI_DATA"));
        Assert.That(configuration.Root["AmiPki:Cmp:ConfirmWaitSeconds"], Is.EqualTo("33"));
        Assert.That(configuration.SourceOf("AmiPki:Cmp:ConfirmWaitSeconds"), Is.EqualTo("environment AMIPKI_Cmp__ConfirmWaitSeconds"));
        Assert.That(configuration.Root["AmiPki:Scep:RaKeySize"], Is.EqualTo("3072"));
        Assert.That(configuration.SourceOf("AmiPki:Scep:RaKeySize"), Does.StartWith("appsettings ").And.EndWith(Path.GetFileName(_appSettings)));
        Assert.That(configuration.SourceOf("AmiPki:Est:Realm"), Is.EqualTo("default"));
    }

    [Test]
    public void Variables_read_by_name_elsewhere_are_not_configuration_and_are_not_warned_about()
    {
        var configuration = Build(new()
        {
            ["AMIPKI_PKCS11_PIN"] = "1234",
            ["AMIPKI_CMP_SECRET_KEY"] = "k",
            ["AMIPKI_CLI"] = "dotnet amipki.dll",
            ["AMIPKI_KEY_PASSPHRASE"] = "p",
            ["AMIPKI_POSTGRES"] = "Host=db;Password=hunter2",
            ["AMIPKI_Campaigns__WebhookUrl"] = "https://hes:hunter3@head-end.example/renew",
            ["AMIPKI_Scep__StaticChallenges__network-device"] = "hunter4",
        });
        Assert.That(configuration.Warnings, Is.Empty);
        Assert.That(configuration.Errors, Is.Empty);
        Assert.That(configuration.Options.KeyPassphrase, Is.EqualTo("p"));
        var shown = configuration.Effective().ToList();
        Assert.That(shown.Single(e => e.Key == "AmiPki:KeyPassphrase").Value, Is.EqualTo("(redacted)"));
        Assert.That(shown.Single(e => e.Key == "AmiPki:Storage:Postgres").Value, Is.EqualTo("Host=db;Password=(redacted)"));
        Assert.That(shown.Single(e => e.Key == "AmiPki:Campaigns:WebhookUrl").Value, Is.EqualTo("https://(redacted)@head-end.example/renew"));
        Assert.That(shown.Single(e => e.Key == "AmiPki:Scep:StaticChallenges:network-device").Value, Is.EqualTo("(redacted)"));
        Assert.That(shown.Select(e => e.Value), Has.None.Contains("1234").And.None.Contains("hunter"));
    }

    [Test]
    public void Unknown_keys_name_the_nearest_known_one_and_bad_values_name_the_key()
    {
        var configuration = Build(new()
        {
            ["AMIPKI_Cmpp__ConfirmWaitSeconds"] = "5",
            ["AMIPKI_Ocsp__HttpMaxAgeSecond"] = "5",
            ["AMIPKI_Crl__StoragePollInterval"] = "00:00:00",
            ["AMIPKI_Jobs__Enabled"] = "maybe",
        });
        Assert.That(configuration.Warnings, Has.Some.Contains("unknown setting AmiPki:Cmpp:ConfirmWaitSeconds (environment AMIPKI_Cmpp__ConfirmWaitSeconds) is ignored; did you mean AmiPki:Cmp:ConfirmWaitSeconds?"));
        Assert.That(configuration.Warnings, Has.Some.Contains("did you mean AmiPki:Ocsp:HttpMaxAgeSeconds?"));
        Assert.That(configuration.Errors, Is.EqualTo(new[] { "AmiPki:Jobs:Enabled must be true or false, not 'maybe' (environment AMIPKI_Jobs__Enabled)" }));

        var range = Build(new() { ["AMIPKI_Crl__StoragePollInterval"] = "00:00:00" });
        Assert.That(range.Errors, Is.EqualTo(new[] { "AmiPki:Crl:StoragePollInterval must be at least 00:00:00.0010000, not 00:00:00 (environment AMIPKI_Crl__StoragePollInterval)" }));
        Assert.Throws<ArgumentException>(() => range.ThrowIfInvalid());
    }
}
