using System.CommandLine;
using AmiPki.Server.Configuration;
using AmiPki.Server.Hosting;
using Microsoft.AspNetCore.Builder;

namespace AmiPki.Cli.Commands;

/// <summary><c>amipki serve</c>: starts every endpoint of an initialised data directory.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string?>("--listen") { Description = "Address to bind (default 127.0.0.1)" };
        var httpPort = new Option<int?>("--http-port") { Description = "HTTP port: CMP, SCEP, OCSP, CRL, AIA (default 8080)" };
        var httpsPort = new Option<int?>("--https-port") { Description = "HTTPS port: EST, admin API (default 8443; 0 disables)" };
        var coapsPort = new Option<int?>("--coaps-port") { Description = "EST-coaps DTLS port (default 5684; 0 disables)" };
        var pkcs11 = new CeremonyCommands.Pkcs11Arguments(recursive: false, includeRoot: false);
        var command = new Command("serve", "Start the AmiPki server") { listen, httpPort, httpsPort, coapsPort };
        pkcs11.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            string? Text(int? port) => port?.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var configuration = pkcs11.Configure(parseResult,
                new CommandLineValue("AmiPki:ListenAddress", listen.Name, parseResult.GetValue(listen)),
                new CommandLineValue("AmiPki:HttpPort", httpPort.Name, Text(parseResult.GetValue(httpPort))),
                new CommandLineValue("AmiPki:HttpsPort", httpsPort.Name, Text(parseResult.GetValue(httpsPort))),
                new CommandLineValue("AmiPki:CoapsPort", coapsPort.Name, Text(parseResult.GetValue(coapsPort))));
            await using var runtime = await Server.AmiPkiRuntime.OpenAsync(configuration.Options, TimeProvider.System, cancellationToken);
            // The same configuration for the web host: every section is bound from the sources the options came from.
            await using var app = await ServerHost.BuildAsync(runtime, configuration.Root, cancellationToken);
            await app.RunAsync();
            return 0;
        }));
        return command;
    }
}
