using AmiPki.Coap.Messages;
using AmiPki.Core.Issuance;

namespace AmiPki.Protocols.EstCoaps;

/// <summary>
/// A refused EST-coaps request: the CoAP response code and a one-line diagnostic payload (RFC 7252 §5.5.2), and for
/// 5.03 the Max-Age telling the client when to repeat (RFC 9148 §5.7).
/// </summary>
internal sealed class EstCoapsProblem : Exception
{
    public EstCoapsProblem(byte code, string reason, uint? maxAge = null) : base(reason)
    {
        Code = code;
        MaxAge = maxAge;
    }

    public byte Code { get; }

    public uint? MaxAge { get; }

    public string Reason => Message;

    public static EstCoapsProblem BadRequest(string reason) => new(CoapCode.BadRequest, reason);

    public static EstCoapsProblem Unauthorized(string reason) => new(CoapCode.Unauthorized, reason);

    public static EstCoapsProblem Forbidden(string reason) => new(CoapCode.Forbidden, reason);

    public static EstCoapsProblem NotFound(string reason) => new(CoapCode.NotFound, reason);

    public static EstCoapsProblem NotAcceptable(string reason) => new(CoapCode.NotAcceptable, reason);

    public static EstCoapsProblem UnsupportedContentFormat(string reason) => new(CoapCode.UnsupportedContentFormat, reason);

    /// <summary>How each core refusal is told to an EST-coaps client: the CoAP twin of EST's HTTP mapping (RFC 9148 §5.7).</summary>
    public static byte CodeOf(RefusalKind kind) => kind switch
    {
        RefusalKind.UnknownProfile => CoapCode.NotFound,
        RefusalKind.NotAuthorized => CoapCode.Forbidden,
        RefusalKind.MalformedRequest or RefusalKind.BadProofOfPossession or RefusalKind.KeyNotAllowed or RefusalKind.ProfileViolation
            or RefusalKind.LintFailure => CoapCode.BadRequest,
        // The issuing key is unavailable (HSM gone): retry later, the request itself is fine.
        RefusalKind.SigningFailed => CoapCode.ServiceUnavailable,
        _ => CoapCode.InternalServerError,
    };

    public static EstCoapsProblem From(IssuanceRefusal refusal) => new(CodeOf(refusal.Kind), refusal.Reason);
}
