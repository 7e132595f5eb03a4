namespace AmiPki.Coap.BlockWise;

/// <summary>The answer to one Block1 block; see <see cref="Block1OutcomeKind"/>.</summary>
public sealed class Block1Outcome
{
    private Block1Outcome(Block1OutcomeKind kind, byte[]? body, byte errorCode, uint? size1, string? diagnostic)
    {
        Kind = kind;
        Body = body;
        ErrorCode = errorCode;
        Size1 = size1;
        Diagnostic = diagnostic;
    }

    public Block1OutcomeKind Kind { get; }

    public byte[]? Body { get; }

    public byte ErrorCode { get; }

    /// <summary>The body size limit, sent with 4.13 (RFC 7959 §4).</summary>
    public uint? Size1 { get; }

    public string? Diagnostic { get; }

    public static Block1Outcome Continue { get; } = new(Block1OutcomeKind.Continue, null, 0, null, null);

    public static Block1Outcome Complete(byte[] body) => new(Block1OutcomeKind.Complete, body, 0, null, null);

    public static Block1Outcome Failed(byte code, string diagnostic, uint? size1 = null) =>
        new(Block1OutcomeKind.Failed, null, code, size1, diagnostic);
}
