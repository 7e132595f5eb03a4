using System.CommandLine;
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
            var options = pkcs11.Resolve(parseResult);
            options.ListenAddress = parseResult.GetValue(listen) ?? options.ListenAddress;
            options.HttpPort = parseResult.GetValue(httpPort) ?? options.HttpPort;
            options.HttpsPort = parseResult.GetValue(httpsPort) ?? options.HttpsPort;
            options.CoapsPort = parseResult.GetValue(coapsPort) ?? options.CoapsPort;
            await using var runtime = await Server.AmiPkiRuntime.OpenAsync(options, TimeProvider.System, cancellationToken);
            await using var app = await ServerHost.BuildAsync(runtime, [], cancellationToken);
            await app.RunAsync();
            return 0;
        }));
        return command;
    }
}
