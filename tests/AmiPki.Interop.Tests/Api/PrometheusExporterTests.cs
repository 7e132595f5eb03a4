using AmiPki.Core.Telemetry;
using AmiPki.Server.Telemetry;

namespace AmiPki.Interop.Tests.Api;

/// <summary>The exporter in-process: the job instruments the scheduler records through, histogram buckets, label escaping.</summary>
public sealed class PrometheusExporterTests
{
    [Test]
    public void Job_runs_failures_and_durations_are_exported_as_counters_and_a_histogram()
    {
        using var exporter = new PrometheusExporter();
        var job = "test-job-" + Guid.NewGuid().ToString("N")[..8];

        AmiPkiMetrics.RecordJobRun(job, succeeded: true, TimeSpan.FromMilliseconds(50));
        AmiPkiMetrics.RecordJobRun(job, succeeded: false, TimeSpan.FromSeconds(2));
        AmiPkiMetrics.RecordJobRun(job, succeeded: false, TimeSpan.FromSeconds(20));

        var samples = PrometheusText.Parse(exporter.Render());
        Assert.That(PrometheusText.ValueOf(samples, "amipki_jobs_runs_total", ("job", job), ("outcome", "success")), Is.EqualTo(1));
        Assert.That(PrometheusText.ValueOf(samples, "amipki_jobs_runs_total", ("job", job), ("outcome", "failure")), Is.EqualTo(2));
        Assert.That(PrometheusText.ValueOf(samples, "amipki_jobs_failures_total", ("job", job)), Is.EqualTo(2));
        Assert.That(PrometheusText.ValueOf(samples, "amipki_jobs_duration_seconds_bucket", ("job", job), ("outcome", "failure"), ("le", "1")), Is.EqualTo(0));
        Assert.That(PrometheusText.ValueOf(samples, "amipki_jobs_duration_seconds_bucket", ("job", job), ("outcome", "failure"), ("le", "5")), Is.EqualTo(1));
        Assert.That(PrometheusText.ValueOf(samples, "amipki_jobs_duration_seconds_bucket", ("job", job), ("outcome", "failure"), ("le", "+Inf")), Is.EqualTo(2));
        Assert.That(PrometheusText.ValueOf(samples, "amipki_jobs_duration_seconds_sum", ("job", job), ("outcome", "failure")), Is.EqualTo(22));
    }

    [Test]
    public void Label_values_are_escaped()
    {
        using var exporter = new PrometheusExporter();
        var job = "quote\" back\\slash\nnewline " + Guid.NewGuid().ToString("N")[..8];

        AmiPkiMetrics.RecordJobRun(job, succeeded: true, TimeSpan.Zero);

        var text = exporter.Render();
        Assert.That(text, Does.Contain("job=\"quote\\\" back\\\\slash\\nnewline "));
        Assert.That(PrometheusText.ValueOf(PrometheusText.Parse(text), "amipki_jobs_runs_total", ("job", job)), Is.EqualTo(1));
    }
}
