using System.CommandLine;

namespace AmiPki.Cli.Commands;

/// <summary><c>amipki init</c>: creates the development CA hierarchy, non-interactively; refuses to overwrite.</summary>
public static class InitCommand
{
    public static Command Create()
    {
        var keyProvider = new Option<string>("--key-provider")
        {
            Description = "Where CA keys are generated: software, or pkcs11 (issuing CAs on the online token; the root on the root token if one is configured)",
            DefaultValueFactory = _ => "software",
        };
        var baseUrl = new Option<string?>("--base-url") { Description = "HTTP base URL written into CDP/AIA (default AmiPki:PublicBaseUrl)" };
        var ifMissing = new Option<bool>("--if-missing") { Description = "Succeed without change when the data directory is already initialised" };
        var pkcs11 = new CeremonyCommands.Pkcs11Arguments(recursive: false);
        var command = new Command("init", "Create the development CA hierarchy (root, Suite 1 and Suite 2 issuing CAs)") { keyProvider, baseUrl, ifMissing };
        pkcs11.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var options = pkcs11.Resolve(parseResult);
            if (parseResult.GetValue(baseUrl) is { Length: > 0 } url)
            {
                options.PublicBaseUrl = url;
            }
            var provider = parseResult.GetValue(keyProvider)!;
            if (provider == Server.AmiPkiRuntime.Pkcs11ProviderName && !options.Pkcs11.IsConfigured)
            {
                return CommandRunner.Fail("--key-provider pkcs11 needs --pkcs11-module and --pkcs11-token (or AmiPki:Pkcs11:ModulePath and TokenLabel)");
            }
            await using var runtime = await Server.AmiPkiRuntime.CreateOrOpenAsync(options, TimeProvider.System, cancellationToken);
            var existing = await runtime.Storage.Cas.ListAsync(cancellationToken);
            if (existing.Count > 0 && parseResult.GetValue(ifMissing))
            {
                Console.WriteLine($"{runtime.StorageLocation} already holds CAs {string.Join(", ", existing.Select(c => c.Name))}; nothing to do");
                return 0;
            }
            var created = await runtime.InitializeAsync(provider, cancellationToken);
            foreach (var ca in created)
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(ca.CertificateDer);
                Console.WriteLine($"created CA {ca.Name,-12} {certificate.Subject}  key {ca.KeyReference}");
            }
            Console.WriteLine($"data directory: {runtime.Layout.Root}");
            Console.WriteLine($"storage: {runtime.StorageLocation}");
            return 0;
        }));
        return command;
    }
}
