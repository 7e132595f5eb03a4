using System.CommandLine;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11;
using AmiPki.Server;
using AmiPki.Server.Configuration;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki ceremony</c>: the key ceremony of a hierarchy whose root key lives on its own PKCS#11 token. Only these
/// commands open the root token (<c>AmiPki:Pkcs11:RootTokenLabel</c>); the online server never does. The issuing CA
/// keys are generated on the online token (<c>create-issuing</c>), and the root certifies them from their CSRs.
/// </summary>
public static class CeremonyCommands
{
    public static Command Create()
    {
        var pkcs11 = new Pkcs11Arguments(recursive: true);
        var command = new Command("ceremony", "Key ceremony: the offline root on its own PKCS#11 token, issuing CA keys on the online token")
        {
            CreateRoot(pkcs11),
            CreateIssuing(pkcs11),
            SignIssuing(pkcs11),
            RootCrl(pkcs11),
        };
        foreach (var option in pkcs11.All)
        {
            command.Options.Add(option);
        }
        return command;
    }

    private static Command CreateRoot(Pkcs11Arguments pkcs11)
    {
        var name = new Option<string>("--name") { Description = "CA name in the store", DefaultValueFactory = _ => "root" };
        var commonName = new Option<string>("--common-name") { Description = "CN of the root", DefaultValueFactory = _ => "AmiPki Root CA" };
        var algorithm = new Option<string>("--algorithm") { Description = "Key: ecP256, ecP384, ecP521, rsa2048, rsa3072, rsa4096", DefaultValueFactory = _ => "ecP384" };
        var years = new Option<int>("--validity-years") { Description = "Validity of the root certificate", DefaultValueFactory = _ => 20 };
        var pathLength = new Option<int>("--path-length") { Description = "CAs allowed below the issuing CAs' level (basic constraints)", DefaultValueFactory = _ => 1 };
        var baseUrl = new Option<string?>("--base-url") { Description = "HTTP base URL for CDP/AIA of what the root signs (default AmiPki:PublicBaseUrl)" };
        var output = new Option<FileInfo>("--out") { Description = "Where to export the root certificate (PEM)", Required = true };
        var command = new Command("create-root", "Generate the root CA key on the root token and self-sign the root certificate")
        {
            name, commonName, algorithm, years, pathLength, baseUrl, output,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var options = pkcs11.Resolve(parseResult);
            options.PublicBaseUrl = parseResult.GetValue(baseUrl) ?? options.PublicBaseUrl;
            var definition = new CaDefinition(parseResult.GetValue(name)!, parseResult.GetValue(commonName)!, ParseAlgorithm(parseResult.GetValue(algorithm)!),
                Positive(parseResult.GetValue(years), "--validity-years"), null, parseResult.GetValue(pathLength));
            // create-root starts an instance (like init); the other ceremony steps need it.
            await using var runtime = await AmiPkiRuntime.CreateOrOpenAsync(options, TimeProvider.System, cancellationToken);
            using var rootKeys = runtime.OpenRootTokenProvider();
            var ceremony = new HierarchyInitializer(rootKeys, runtime.Storage.Cas, runtime.AuditLog, runtime.Time, AmiPkiRuntime.RootTokenProviderName);
            var record = await ceremony.CreateRootAsync(definition, options.Organization, options.PublicBaseUrl, cancellationToken);
            var path = parseResult.GetValue(output)!.FullName;
            await File.WriteAllTextAsync(path, PemFiles.Encode("CERTIFICATE", record.CertificateDer), cancellationToken);
            using var certificate = X509CertificateLoader.LoadCertificate(record.CertificateDer);
            Console.WriteLine($"created root CA {record.Name} {certificate.Subject}  key {record.KeyReference}: {path}");
            Console.WriteLine($"SHA-256 fingerprint {certificate.GetCertHashString(HashAlgorithmName.SHA256)}");
            return 0;
        }));
        return command;
    }

    private static Command CreateIssuing(Pkcs11Arguments pkcs11)
    {
        var name = new Option<string>("--name") { Description = "CA name, also the key's label on the online token (e.g. issuing-s1)", Required = true };
        var commonName = new Option<string?>("--common-name") { Description = "CN of the issuing CA (default: AmiPki Issuing CA <name>)" };
        var algorithm = new Option<string>("--algorithm") { Description = "Key: ecP256, ecP384, ecP521, rsa2048, rsa3072, rsa4096", DefaultValueFactory = _ => "ecP256" };
        var csrOut = new Option<FileInfo>("--csr-out") { Description = "Where to write the CSR (PEM) for `ceremony sign-issuing`", Required = true };
        var command = new Command("create-issuing", "Generate an issuing CA key on the online token and write its CSR") { name, commonName, algorithm, csrOut };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var options = pkcs11.Resolve(parseResult);
            if (!options.Pkcs11.IsConfigured)
            {
                return CommandRunner.Fail("no online token configured: set --pkcs11-module and --pkcs11-token (or AmiPki:Pkcs11:ModulePath and TokenLabel)");
            }
            var caName = parseResult.GetValue(name)!;
            var keyAlgorithm = ParseAlgorithm(parseResult.GetValue(algorithm)!);
            var subject = new X500DistinguishedName($"CN={parseResult.GetValue(commonName) ?? "AmiPki Issuing CA " + caName}, O={options.Organization}");
            await using var runtime = await AmiPkiRuntime.OpenAsync(options, TimeProvider.System, cancellationToken);
            if ((await runtime.Storage.Cas.ListAsync(cancellationToken)).Any(c => c.Name == caName))
            {
                return CommandRunner.Fail($"a CA named '{caName}' already exists; refusing to create another key for it");
            }
            using var key = runtime.KeyProvider(AmiPkiRuntime.Pkcs11ProviderName).Generate(caName, keyAlgorithm);
            var request = new CertificateRequest(subject, PublicKey.CreateFromSubjectPublicKeyInfo(key.SubjectPublicKeyInfo.Span, out _),
                CertificateAuthority.DefaultHashFor(key.Algorithm));
            // Signed on the token: the CSR's signature is the key's proof of possession for the root.
            var csr = request.CreateSigningRequest(new SigningKeySignatureGenerator(key));
            var path = parseResult.GetValue(csrOut)!.FullName;
            await File.WriteAllTextAsync(path, PemFiles.Encode("CERTIFICATE REQUEST", csr), cancellationToken);
            await runtime.AuditLog.AppendAsync(new AuditEvent(runtime.Time.GetUtcNow(), "ca", "ceremony", "success",
                $"generated issuing CA key {caName} subject={subject.Name} key={key.KeyReference}; CSR written to {path}"), cancellationToken);
            Console.WriteLine($"generated {keyAlgorithm} key {key.KeyReference}");
            Console.WriteLine($"CSR for {subject.Name}: {path}");
            return 0;
        }));
        return command;
    }

    private static Command SignIssuing(Pkcs11Arguments pkcs11)
    {
        var csr = new Option<FileInfo>("--csr") { Description = "The issuing CA's CSR (PEM or DER), from `ceremony create-issuing`", Required = true };
        var name = new Option<string>("--name") { Description = "CA name in the store, as given to `ceremony create-issuing` (e.g. issuing-s1)", Required = true };
        var issuer = new Option<string>("--issuer") { Description = "The root that signs", DefaultValueFactory = _ => "root" };
        var years = new Option<int>("--validity-years") { Description = "Validity (capped at the root's)", DefaultValueFactory = _ => 10 };
        var pathLength = new Option<int>("--path-length") { Description = "basicConstraints pathLenConstraint", DefaultValueFactory = _ => 0 };
        var keyReference = new Option<string?>("--key-reference")
        {
            Description = "PKCS#11 URI of the issuing key on the online token (default pkcs11:token=<online token>;object=<name>;type=private)",
        };
        var baseUrl = new Option<string?>("--base-url") { Description = "HTTP base URL for the new CA's CDP/AIA (default AmiPki:PublicBaseUrl)" };
        var output = new Option<FileInfo?>("--out") { Description = "Also export the issuing CA certificate (PEM)" };
        var command = new Command("sign-issuing", "Certify an issuing CA's CSR with the root key on the root token")
        {
            csr, name, issuer, years, pathLength, keyReference, baseUrl, output,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var options = pkcs11.Resolve(parseResult);
            options.PublicBaseUrl = parseResult.GetValue(baseUrl) ?? options.PublicBaseUrl;
            var csrDer = PemFiles.ReadDer(parseResult.GetValue(csr)!.FullName, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
            // Loading checks the CSR's signature against its own key: proof that whoever asks holds the private key.
            var request = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default, RSASignaturePadding.Pkcs1);
            var caName = parseResult.GetValue(name)!;
            var reference = parseResult.GetValue(keyReference);
            if (reference is null)
            {
                if (string.IsNullOrWhiteSpace(options.Pkcs11.TokenLabel))
                {
                    throw new ArgumentException("give --key-reference, or --pkcs11-token so the key's URI can be derived from the online token label");
                }
                reference = new Pkcs11Uri(options.Pkcs11.TokenLabel, caName, null, "private").ToString();
            }
            else if (!Pkcs11Uri.TryParse(reference, out _))
            {
                throw new ArgumentException($"--key-reference is not a PKCS#11 URI (RFC 7512): {reference}");
            }

            // The online token is not needed here: the server opens the key by this URI and checks it matches the certificate.
            options.Pkcs11.TokenLabel = null;
            await using var runtime = await AmiPkiRuntime.OpenAsync(options, TimeProvider.System, cancellationToken);
            using var rootKeys = runtime.OpenRootTokenProvider();
            var ceremony = new HierarchyInitializer(rootKeys, runtime.Storage.Cas, runtime.AuditLog, runtime.Time, AmiPkiRuntime.RootTokenProviderName);
            var record = await ceremony.CertifyAsync(caName, parseResult.GetValue(issuer)!, request.SubjectName, request.PublicKey,
                Positive(parseResult.GetValue(years), "--validity-years"), parseResult.GetValue(pathLength), AmiPkiRuntime.Pkcs11ProviderName, reference,
                options.PublicBaseUrl, cancellationToken);
            using var certificate = X509CertificateLoader.LoadCertificate(record.CertificateDer);
            Console.WriteLine($"certified CA {record.Name} {certificate.Subject} (serial {certificate.SerialNumber}, until {certificate.NotAfter.ToUniversalTime():u}) key {record.KeyReference}");
            if (parseResult.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, PemFiles.Encode("CERTIFICATE", record.CertificateDer), cancellationToken);
                Console.WriteLine($"wrote {file.FullName}");
            }
            return 0;
        }));
        return command;
    }

    private static Command RootCrl(Pkcs11Arguments pkcs11)
    {
        var issuer = new Option<string>("--issuer") { Description = "The root whose CRL to issue", DefaultValueFactory = _ => "root" };
        var days = new Option<int>("--validity-days") { Description = "nextUpdate − thisUpdate, in days (until the next ceremony)", DefaultValueFactory = _ => 90 };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the CRL", Required = true };
        var pem = new Option<bool>("--pem") { Description = "Write PEM (X509 CRL) instead of DER" };
        var command = new Command("crl", "Issue the root's CRL, signed on the root token") { issuer, days, output, pem };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var options = pkcs11.Resolve(parseResult);
            var validity = TimeSpan.FromDays(Positive(parseResult.GetValue(days), "--validity-days"));
            var name = parseResult.GetValue(issuer)!;
            // Only the root token takes part: the ceremony machine need not see the online token.
            options.Pkcs11.TokenLabel = null;
            await using var runtime = await AmiPkiRuntime.OpenAsync(options, TimeProvider.System, cancellationToken);
            var record = (await runtime.Storage.Cas.ListAsync(cancellationToken)).FirstOrDefault(c => c.Name == name)
                ?? throw new ArgumentException($"no CA named '{name}'");
            if (record.KeyProvider != AmiPkiRuntime.RootTokenProviderName)
            {
                throw new ArgumentException($"CA '{name}' keeps its key in '{record.KeyProvider}', not on the root token: use `amipki crl`");
            }
            using var rootKeys = runtime.OpenRootTokenProvider();
            using var key = rootKeys.Open(record.KeyReference);
            using var certificate = X509CertificateLoader.LoadCertificate(record.CertificateDer);
            if (!key.SubjectPublicKeyInfo.Span.SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
            {
                throw new InvalidOperationException($"CA '{name}': the key at {key.KeyReference} does not match its certificate");
            }

            var builder = new CertificateRevocationListBuilder();
            var entries = 0;
            await foreach (var entry in runtime.Storage.Revocations.ListRevokedAsync(name, null, cancellationToken))
            {
                // RFC 5280 §5.3.1: the reason code unspecified SHOULD NOT be written.
                X509RevocationReason? reason = entry.Revocation.Reason == Core.Revocation.RevocationReason.Unspecified
                    ? null
                    : (X509RevocationReason)entry.Revocation.Reason;
                builder.AddEntry(Convert.FromHexString(entry.SerialHex), entry.Revocation.RevokedAt, reason);
                entries++;
            }
            var number = await runtime.Storage.Revocations.NextCrlNumberAsync(name, cancellationToken);
            var now = runtime.Time.GetUtcNow();
            // Whole seconds: UTCTime/GeneralizedTime in a CRL carry no fraction (RFC 5280 §5.1.2.4).
            var thisUpdate = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            var nextUpdate = thisUpdate + validity;
            var der = builder.Build(certificate.SubjectName, new SigningKeySignatureGenerator(key), new BigInteger(number), nextUpdate,
                CertificateAuthority.DefaultHashFor(key.Algorithm), X509AuthorityKeyIdentifierExtension.CreateFromCertificate(certificate, true, false), thisUpdate);
            await runtime.AuditLog.AppendAsync(new AuditEvent(runtime.Time.GetUtcNow(), "crl", "ceremony", "success",
                $"issuer={name} complete CRL number={number} entries={entries} thisUpdate={thisUpdate:O} nextUpdate={nextUpdate:O}"), cancellationToken);

            var path = parseResult.GetValue(output)!.FullName;
            if (parseResult.GetValue(pem))
            {
                await File.WriteAllTextAsync(path, PemFiles.Encode("X509 CRL", der), cancellationToken);
            }
            else
            {
                await File.WriteAllBytesAsync(path, der, cancellationToken);
            }
            Console.WriteLine($"CRL #{number} of {name}: {entries} entries, nextUpdate {nextUpdate:u}: {path}");
            return 0;
        }));
        return command;
    }

    private static int Positive(int value, string option) => value > 0 ? value : throw new ArgumentException($"{option} must be positive");

    /// <summary>Names as in the profiles (ecP256, rsa2048, ...), case-insensitive; numbers are refused.</summary>
    private static KeyAlgorithm ParseAlgorithm(string text) =>
        text.Length > 0 && char.IsAsciiLetter(text[0]) && Enum.TryParse<KeyAlgorithm>(text, ignoreCase: true, out var algorithm) && Enum.IsDefined(algorithm)
            ? algorithm
            : throw new ArgumentException($"unknown key algorithm '{text}' (ecP256, ecP384, ecP521, rsa2048, rsa3072, rsa4096)");

    /// <summary>
    /// The PKCS#11 options shared by <c>init</c> and the ceremony commands. They override configuration; the PIN is only
    /// ever named by its source (<c>env:VAR</c> or <c>file:PATH</c>), never given on the command line.
    /// </summary>
    public sealed class Pkcs11Arguments
    {
        /// <param name="recursive">Whether the options apply to subcommands too (the ceremony's).</param>
        /// <param name="includeRoot">Whether the root token's options are offered: not for <c>serve</c> and <c>issue</c>, which never open it.</param>
        public Pkcs11Arguments(bool recursive, bool includeRoot = true)
        {
            IncludesRoot = includeRoot;
            Module = new Option<string?>("--pkcs11-module") { Description = "PKCS#11 module path (default AmiPki:Pkcs11:ModulePath)", Recursive = recursive };
            Token = new Option<string?>("--pkcs11-token") { Description = "Online token label: issuing CA keys (default AmiPki:Pkcs11:TokenLabel)", Recursive = recursive };
            PinSource = new Option<string?>("--pkcs11-pin-source")
            {
                Description = "Online token PIN source: env:VARIABLE or file:PATH (default AmiPki:Pkcs11:PinSource, env:AMIPKI_PKCS11_PIN)",
                Recursive = recursive,
            };
            RootToken = new Option<string?>("--pkcs11-root-token") { Description = "Root token label (default AmiPki:Pkcs11:RootTokenLabel)", Recursive = recursive };
            RootPinSource = new Option<string?>("--pkcs11-root-pin-source")
            {
                Description = "Root token PIN source: env:VARIABLE or file:PATH (default AmiPki:Pkcs11:RootPinSource, env:AMIPKI_PKCS11_ROOT_PIN)",
                Recursive = recursive,
            };
        }

        public Option<string?> Module { get; }

        public Option<string?> Token { get; }

        public Option<string?> PinSource { get; }

        public Option<string?> RootToken { get; }

        public Option<string?> RootPinSource { get; }

        public bool IncludesRoot { get; }

        public IEnumerable<Option> All => IncludesRoot ? [Module, Token, PinSource, RootToken, RootPinSource] : [Module, Token, PinSource];

        /// <summary>Adds <see cref="All"/> to <paramref name="command"/>.</summary>
        public void AddTo(Command command)
        {
            ArgumentNullException.ThrowIfNull(command);
            foreach (var option in All)
            {
                command.Options.Add(option);
            }
        }

        /// <summary>Configuration as <see cref="CliOptions.Resolve"/> gives it, with these options on top (PIN sources validated).</summary>
        public AmiPkiOptions Resolve(ParseResult parseResult, params IEnumerable<CommandLineValue> commandLine) =>
            Configure(parseResult, commandLine).Options;

        /// <summary>These options as command-line values (they win over every other source).</summary>
        public IEnumerable<CommandLineValue> Values(ParseResult parseResult)
        {
            ArgumentNullException.ThrowIfNull(parseResult);
            yield return new("AmiPki:Pkcs11:ModulePath", Module.Name, parseResult.GetValue(Module));
            yield return new("AmiPki:Pkcs11:TokenLabel", Token.Name, parseResult.GetValue(Token));
            yield return new("AmiPki:Pkcs11:PinSource", PinSource.Name, parseResult.GetValue(PinSource));
            if (IncludesRoot)
            {
                yield return new("AmiPki:Pkcs11:RootTokenLabel", RootToken.Name, parseResult.GetValue(RootToken));
                yield return new("AmiPki:Pkcs11:RootPinSource", RootPinSource.Name, parseResult.GetValue(RootPinSource));
            }
        }

        /// <summary>The process's configuration with these options and <paramref name="commandLine"/> on top (PIN sources validated).</summary>
        public AmiPkiConfiguration Configure(ParseResult parseResult, params IEnumerable<CommandLineValue> commandLine)
        {
            var configuration = CliOptions.Configure(parseResult, Values(parseResult).Concat(commandLine));
            var options = configuration.Options;
            var section = options.Pkcs11;
            // Fails before anything is created, without echoing the text (it may be a PIN typed in the wrong place).
            _ = Pkcs11PinSource.Parse(section.PinSource);
            if (IncludesRoot)
            {
                _ = Pkcs11PinSource.Parse(section.RootPinSource);
            }
            return configuration;
        }
    }
}
