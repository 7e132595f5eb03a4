using System.Diagnostics.Metrics;

namespace AmiPki.Core.Telemetry;

/// <summary>
/// Every metric AmiPki records, on one <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>, so the
/// names live in one place and any exporter (the host's <c>/metrics</c>, or OpenTelemetry) finds them all. Instruments
/// are process-wide statics, as <c>System.Diagnostics.Metrics</c> intends: recording with no listener costs a branch.
/// Names use dots (OpenTelemetry style); the Prometheus exporter turns them into <c>amipki_…_total</c> and
/// <c>…_seconds</c>.
/// </summary>
public static class AmiPkiMetrics
{
    public const string MeterName = "AmiPki";

    /// <summary>Tag names shared by the instruments below.</summary>
    public static class Tags
    {
        public const string Profile = "profile";
        public const string Protocol = "protocol";
        public const string Issuer = "issuer";
        public const string Reason = "reason";
        public const string Kind = "kind";
        public const string Status = "status";
        public const string Job = "job";
        public const string Outcome = "outcome";
        public const string Method = "method";
        public const string Route = "route";
    }

    /// <summary>Job outcomes for <see cref="RecordJobRun"/>.</summary>
    public static class JobOutcomes
    {
        public const string Success = "success";
        public const string Failure = "failure";
    }

    public static Meter Meter { get; } = new(MeterName, "1.0");

    /// <summary>Certificates signed and durably recorded; tags profile, protocol, issuer.</summary>
    public static Counter<long> CertificatesIssued { get; } = Meter.CreateCounter<long>("amipki.certificates.issued", null,
        "Certificates issued, by profile, enrollment protocol and issuing CA");

    /// <summary>Requests the pipeline refused (typed refusals); tags profile, protocol, kind.</summary>
    public static Counter<long> IssuanceRefusals { get; } = Meter.CreateCounter<long>("amipki.issuance.refusals", null,
        "Issuance requests refused, by profile, protocol and refusal kind");

    /// <summary>From the start of policy checks to the durable record of the signed certificate; tags profile, protocol.</summary>
    public static Histogram<double> IssuanceDuration { get; } = Meter.CreateHistogram("amipki.issuance.duration", "s",
        "Issuance latency: policy, lint, durable intent, signature and durable record", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary>Certificates whose status changed to revoked or on hold; tags profile, protocol (who asked: cli, admin-api, ...), reason.</summary>
    public static Counter<long> CertificatesRevoked { get; } = Meter.CreateCounter<long>("amipki.certificates.revoked", null,
        "Certificates revoked or put on hold, by profile, the channel that asked and RFC 5280 reason");

    /// <summary>OCSP responses sent; tag status (good, revoked, unknown, or the error responseStatus).</summary>
    public static Counter<long> OcspResponses { get; } = Meter.CreateCounter<long>("amipki.ocsp.responses", null,
        "OCSP responses served, by certificate status or error response status");

    /// <summary>DTLS sessions whose handshake completed (EST-coaps).</summary>
    public static Counter<long> DtlsSessionsEstablished { get; } = Meter.CreateCounter<long>("amipki.dtls.sessions.established", null,
        "DTLS 1.2 sessions established (EST-coaps)");

    /// <summary>Scheduled job runs; tags job, outcome (<see cref="JobOutcomes"/>). Recorded through <see cref="RecordJobRun"/>.</summary>
    public static Counter<long> JobRuns { get; } = Meter.CreateCounter<long>("amipki.jobs.runs", null, "Scheduled job runs, by job and outcome");

    /// <summary>Scheduled job runs that failed; tag job. Recorded through <see cref="RecordJobRun"/>.</summary>
    public static Counter<long> JobFailures { get; } = Meter.CreateCounter<long>("amipki.jobs.failures", null, "Scheduled job runs that failed, by job");

    /// <summary>How long a job run took; tags job, outcome.</summary>
    public static Histogram<double> JobDuration { get; } = Meter.CreateHistogram("amipki.jobs.duration", "s", "Scheduled job run duration", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900] });

    /// <summary>Admin API calls; tags method, route (the route pattern, not the raw path), status.</summary>
    public static Counter<long> AdminApiRequests { get; } = Meter.CreateCounter<long>("amipki.admin_api.requests", null,
        "Admin REST API calls, by method, route pattern and HTTP status");

    /// <summary>One scheduled job run: counts it (and its failure) and records its duration. For the scheduler's job listener.</summary>
    public static void RecordJobRun(string job, bool succeeded, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(job);
        var outcome = succeeded ? JobOutcomes.Success : JobOutcomes.Failure;
        JobRuns.Add(1, new(Tags.Job, job), new(Tags.Outcome, outcome));
        if (!succeeded)
        {
            JobFailures.Add(1, new KeyValuePair<string, object?>(Tags.Job, job));
        }
        JobDuration.Record(duration.TotalSeconds, new(Tags.Job, job), new(Tags.Outcome, outcome));
    }
}
