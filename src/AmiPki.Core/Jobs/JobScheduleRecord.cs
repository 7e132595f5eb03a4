namespace AmiPki.Core.Jobs;

/// <summary>A scheduled job's persisted state: what the scheduler reads at start to run what fell due while stopped.</summary>
/// <param name="Name">The job's name, e.g. <c>crl-publication</c>.</param>
/// <param name="NextDueAt">When it should run next; a start after this time runs it at once.</param>
/// <param name="LastOutcome"><c>success</c> or <c>failed</c>; null before the first run.</param>
/// <param name="LastDetail">What the last run did, or why it failed.</param>
public sealed record JobScheduleRecord(
    string Name,
    DateTimeOffset NextDueAt,
    DateTimeOffset? LastStartedAt,
    DateTimeOffset? LastFinishedAt,
    string? LastOutcome,
    string? LastDetail,
    long Runs,
    long Failures);
