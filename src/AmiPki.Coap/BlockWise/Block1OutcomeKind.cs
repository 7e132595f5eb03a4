namespace AmiPki.Coap.BlockWise;

/// <summary>What the server answers after one Block1 block (RFC 7959 §2.3, §2.9).</summary>
public enum Block1OutcomeKind
{
    /// <summary>More blocks expected: answer 2.31 Continue.</summary>
    Continue,

    /// <summary>The body is whole: hand it to the resource.</summary>
    Complete,

    /// <summary>Answer with <see cref="Block1Outcome.ErrorCode"/> and drop the reassembly.</summary>
    Failed,
}
