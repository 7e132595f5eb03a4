using System.ComponentModel.DataAnnotations;
using AmiPki.Core.Campaigns;
using AmiPki.Protocols.Crl;
using AmiPki.Protocols.Ocsp;
using AmiPki.Server.Jobs;

namespace AmiPki.Server;

/// <summary>
/// Configuration of one AmiPki instance: section <c>AmiPki</c> of appsettings, then <c>AMIPKI_</c> environment variables,
/// then the command line's options (see <see cref="Configuration.AmiPkiConfiguration"/>).
/// </summary>
public sealed class AmiPkiOptions
{
    public const string Section = "AmiPki";

    /// <summary>Where the database, keys and TLS material live (also <c>--data</c> / <c>AMIPKI_DATA</c>).</summary>
    public string DataDirectory { get; set; } = "var/amipki";

    /// <summary>Certificate profiles; defaults to <c>profiles/</c> beside the executable's repository or data directory.</summary>
    public string? ProfilesDirectory { get; set; }

    /// <summary>Address the listeners bind to. Loopback by default: exposing a CA is a deliberate act.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Plain HTTP: CMP, SCEP, OCSP, CRLs, CA certificates (AIA).</summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; } = 8080;

    /// <summary>HTTPS: EST and the admin API. 0 disables it.</summary>
    [Range(0, 65535)]
    public int HttpsPort { get; set; } = 8443;

    /// <summary>EST-coaps over DTLS (UDP). 0 disables it.</summary>
    [Range(0, 65535)]
    public int CoapsPort { get; set; } = 5684;

    /// <summary>Base URL relying parties use for CRL, OCSP and caIssuers; written into certificates at <c>init</c>.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>This node's name in the audit chain (per-node sequence numbers).</summary>
    public string NodeName { get; set; } = "node-1";

    /// <summary>
    /// Seconds a server's hold on <see cref="NodeName"/> lasts without a heartbeat (it refreshes every third of it): a server
    /// refuses to start under a name another process refreshed within this time. Also <c>AMIPKI_NodeLivenessSeconds</c>.
    /// </summary>
    public int NodeLivenessSeconds { get; set; } = 30;

    /// <summary>Passphrase of the software key provider; prefer <c>AMIPKI_KEY_PASSPHRASE</c>.</summary>
    public string? KeyPassphrase { get; set; }

    /// <summary>Organization in the subject of CAs created by <c>init</c>.</summary>
    public string Organization { get; set; } = "AmiPki Development";

    /// <summary>Log as JSON lines (structured) instead of plain text.</summary>
    public bool JsonLogs { get; set; }

    /// <summary>Where the database is (section <c>AmiPki:Storage</c>); SQLite in the data directory unless PostgreSQL is configured.</summary>
    public StorageSection Storage { get; set; } = new();

    /// <summary>Scheduled jobs: intervals and thresholds (section <c>AmiPki:Jobs</c>, e.g. <c>AMIPKI_Jobs__CrlPublication=00:10:00</c>).</summary>
    public JobOptions Jobs { get; set; } = new();

    /// <summary>Renewal campaigns: spread per DCU, webhook (section <c>AmiPki:Campaigns</c>, e.g. <c>AMIPKI_Campaigns__WebhookUrl</c>).</summary>
    public CampaignOptions Campaigns { get; set; } = new();

    /// <summary>
    /// The OCSP responder: response validity, refresh, HTTP caching bound (section <c>AmiPki:Ocsp</c>, e.g.
    /// <c>AMIPKI_Ocsp__HttpMaxAgeSeconds=30</c>). <see cref="OcspResponderOptions.MaintainInBackground"/> is set by the server.
    /// </summary>
    public OcspResponderOptions Ocsp { get; set; } = new();

    /// <summary>
    /// CRL publication: validity (nextUpdate) of complete and delta CRLs, rebuild intervals, HTTP caching, the storage poll
    /// that picks up other nodes' revocations (section <c>AmiPki:Crl</c>, e.g. <c>AMIPKI_Crl__FullValidity=2.00:00:00</c>,
    /// <c>AMIPKI_Crl__StoragePollInterval=00:00:02</c>). <see cref="CrlPublishingOptions.RefreshInBackground"/> is set by the server.
    /// </summary>
    public CrlPublishingOptions Crl { get; set; } = new();

    /// <summary>The <c>pkcs11</c> key provider (section <c>AmiPki:Pkcs11</c>, e.g. <c>AMIPKI_Pkcs11__TokenLabel</c>).</summary>
    public Pkcs11Section Pkcs11 { get; set; } = new();

    /// <summary>TEST-ONLY switches (<c>AmiPki:Testing:…</c>, env <c>AMIPKI_Testing__…</c>); all off by default. Never set them in production.</summary>
    public TestingSection Testing { get; set; } = new();

    /// <summary>
    /// HSM tokens over PKCS#11: the online token holds the issuing CA keys and is opened by the server; the root token
    /// holds the root CA key and is opened only by <c>amipki ceremony</c> (and <c>init</c>). PINs come from a source,
    /// never from the configuration itself: a PIN in appsettings or on a command line leaks into backups and /proc.
    /// </summary>
    public sealed class Pkcs11Section
    {
        /// <summary>The PKCS#11 module, e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>. Unset: no <c>pkcs11</c> provider.</summary>
        public string? ModulePath { get; set; }

        /// <summary>Label of the online token (issuing CA keys).</summary>
        public string? TokenLabel { get; set; }

        /// <summary>Where the online token's user PIN comes from: <c>env:VARIABLE</c> or <c>file:PATH</c>.</summary>
        public string PinSource { get; set; } = "env:AMIPKI_PKCS11_PIN";

        /// <summary>Sessions signing at once on the online token; unset: twice the core count.</summary>
        [Range(1, int.MaxValue)]
        public int? SessionPoolSize { get; set; }

        /// <summary>Label of the root CA's own token, used only by ceremonies. Unset: <c>init</c> puts the root on the online token.</summary>
        public string? RootTokenLabel { get; set; }

        /// <summary>Where the root token's user PIN comes from: <c>env:VARIABLE</c> or <c>file:PATH</c>.</summary>
        public string RootPinSource { get; set; } = "env:AMIPKI_PKCS11_ROOT_PIN";

        /// <summary>True when the online token is configured (module and token label).</summary>
        public bool IsConfigured => !string.IsNullOrWhiteSpace(ModulePath) && !string.IsNullOrWhiteSpace(TokenLabel);
    }

    /// <summary>
    /// The database. By default the embedded SQLite file <c>amipki.db</c> in the data directory. With a PostgreSQL
    /// connection string, every node given the same one shares one database (serials, revocations, CRL numbers, approvals),
    /// each keeping its own audit chain under its <see cref="NodeName"/>, which must then differ from node to node.
    /// </summary>
    public sealed class StorageSection
    {
        /// <summary>
        /// An Npgsql connection string, e.g. <c>Host=db.example;Database=amipki;Username=amipki</c> (also <c>AMIPKI_POSTGRES</c>
        /// or <c>--postgres</c>). Keep the password out of it: PGPASSWORD or a passfile (<c>Passfile=...</c>) keep it out of
        /// configuration files and process listings.
        /// </summary>
        public string? Postgres { get; set; }
    }

    /// <summary>TEST-ONLY settings, used by the crash tests; every one is off unless set.</summary>
    public sealed class TestingSection
    {
        /// <summary>
        /// TEST-ONLY: a file path; while that file exists, every signature with a software key waits (after the serial's
        /// durable reservation, before the signature), so a test can SIGKILL the server with intents in flight. Unset: no effect.
        /// </summary>
        public string? SigningHoldFile { get; set; }
    }
}
