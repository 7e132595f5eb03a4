using AmiPki.Core.Issuance;
using Microsoft.AspNetCore.Http;

namespace AmiPki.Protocols.Est;

/// <summary>
/// A refused EST request: the HTTP status and a one-line reason sent as text/plain (RFC 7030 §4.2.3: "the body of the
/// response MAY contain ... a human-readable error message"). <see cref="Challenge"/> adds WWW-Authenticate to a 401.
/// </summary>
internal sealed class EstProblem : Exception
{
    public EstProblem(int status, string reason, bool challenge = false) : base(reason)
    {
        Status = status;
        Challenge = challenge;
    }

    public int Status { get; }

    public bool Challenge { get; }

    /// <summary>Sent as Retry-After (a temporary failure: storage unavailable), or null for none.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Storage cannot be reached: 503 with Retry-After, the request may be repeated as it is.</summary>
    public static EstProblem StorageUnavailable(int retryAfterSeconds) =>
        new(StatusCodes.Status503ServiceUnavailable, $"storage is temporarily unavailable; retry after {retryAfterSeconds} s")
        {
            RetryAfterSeconds = retryAfterSeconds,
        };

    public string Reason => Message;

    public static EstProblem BadRequest(string reason) => new(StatusCodes.Status400BadRequest, reason);

    public static EstProblem Unauthorized(string reason) => new(StatusCodes.Status401Unauthorized, reason, challenge: true);

    public static EstProblem Forbidden(string reason) => new(StatusCodes.Status403Forbidden, reason);

    public static EstProblem NotFound(string reason) => new(StatusCodes.Status404NotFound, reason);

    /// <summary>How each core refusal is told to an EST client.</summary>
    public static int StatusOf(RefusalKind kind) => kind switch
    {
        RefusalKind.UnknownProfile => StatusCodes.Status404NotFound,
        RefusalKind.NotAuthorized => StatusCodes.Status403Forbidden,
        RefusalKind.MalformedRequest or RefusalKind.BadProofOfPossession or RefusalKind.KeyNotAllowed or RefusalKind.ProfileViolation
            or RefusalKind.LintFailure => StatusCodes.Status400BadRequest,
        // The issuing key is unavailable (HSM gone): the client should retry later, not change its request.
        RefusalKind.SigningFailed => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static EstProblem From(IssuanceRefusal refusal) => new(StatusOf(refusal.Kind), refusal.Reason);
}
