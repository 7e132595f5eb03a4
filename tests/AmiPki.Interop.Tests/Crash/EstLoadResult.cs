namespace AmiPki.Interop.Tests.Crash;

/// <summary>What one <see cref="EstLoad.RunAsync"/> saw.</summary>
/// <param name="Acknowledged">Every certificate received.</param>
/// <param name="UnexpectedFailures">Requests that failed before the kill was asked for (each with why): none may.</param>
/// <param name="FailedAfterKill">Requests in flight when the server died, or refused after it.</param>
/// <param name="Killed">The kill was triggered (the acknowledgement count reached the chosen moment).</param>
public sealed record EstLoadResult(IReadOnlyList<AcknowledgedCertificate> Acknowledged, IReadOnlyList<string> UnexpectedFailures,
    int FailedAfterKill, bool Killed);
