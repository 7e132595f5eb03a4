namespace AmiPki.Server.Jobs;

/// <summary>One scheduled job's work. <see cref="JobRunner"/> records, audits and logs each run.</summary>
public interface IAmiPkiJob
{
    /// <summary>One of <see cref="JobNames"/>.</summary>
    string Name { get; }

    /// <summary>Does the work; returns what was done (for the audit entry). Throws on failure.</summary>
    Task<string> RunAsync(CancellationToken cancellationToken);
}
