using System.Net;
using AmiPki.Coap.Dtls;
using AmiPki.Coap.Server;
using AmiPki.Core.Issuance;
using AmiPki.Core.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// Runs the EST-coaps listener with the host: at start the DTLS certificate is loaded or issued, then a
/// <see cref="DtlsServerTransport"/> on ListenAddress:Port (UDP) carries a <see cref="CoapServer"/> with the EST-coaps
/// resources. Port 0 disables it.
/// </summary>
internal sealed class EstCoapsHostedService : IHostedService, IAsyncDisposable
{
    private readonly EstCoapsOptions _options;
    private readonly EstCoapsService _service;
    private readonly EstCoapsLabels _labels;
    private readonly EstCoapsAuthenticator _authenticator;
    private readonly IssuanceService _issuance;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DtlsServerTransport? _transport;
    private CoapServer? _server;

    public EstCoapsHostedService(EstCoapsOptions options, EstCoapsService service, EstCoapsLabels labels, EstCoapsAuthenticator authenticator,
        IssuanceService issuance, TimeProvider time, ILogger<EstCoapsHostedService> logger)
    {
        _options = options;
        _service = service;
        _labels = labels;
        _authenticator = authenticator;
        _issuance = issuance;
        _time = time;
        _logger = logger;
    }

    /// <summary>Where the listener is bound, once started (tests, diagnostics).</summary>
    public IPEndPoint? LocalEndPoint => _transport?.LocalEndPoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Port <= 0)
        {
            EstCoapsLog.Disabled(_logger);
            return;
        }

        var address = IPAddress.Parse(_options.ListenAddress);
        var tlsDirectory = Path.Combine(_options.DataDirectory ?? throw new InvalidOperationException("EstCoapsOptions.DataDirectory is not set"), "tls");
        var (credentials, serial, _) = await new EstCoapsServerCertificate(_issuance, tlsDirectory, address, _time)
            .EnsureAsync((issuedSerial, notAfter) => EstCoapsLog.CertificateIssued(_logger, issuedSerial, notAfter), cancellationToken)
            .ConfigureAwait(false);
        var transport = new DtlsServerTransport(new IPEndPoint(address, _options.Port), new DtlsServerOptions
        {
            Credentials = credentials,
            ClientCertificateValidator = _authenticator.AdmitHandshake,
            MaxSessions = _options.MaxSessions,
            IdleTimeout = TimeSpan.FromSeconds(Math.Max(1, _options.IdleTimeoutSeconds)),
            WorkerCount = _options.WorkerCount > 0 ? _options.WorkerCount : Environment.ProcessorCount,
        }, _time);
        // The CoAP/DTLS layer knows nothing of AmiPki's metrics; its session event is counted here.
        transport.SessionEstablished += (_, _) => AmiPkiMetrics.DtlsSessionsEstablished.Add(1);
        var server = new CoapServer(transport, time: _time);
        try
        {
            EstCoapsResources.Register(server, _service, _labels);
            server.Start();
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _transport = transport;
        _server = server;
        EstCoapsLog.Listening(_logger, transport.LocalEndPoint.ToString(), serial);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        if (Interlocked.Exchange(ref _transport, null) is { } transport)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }
}
