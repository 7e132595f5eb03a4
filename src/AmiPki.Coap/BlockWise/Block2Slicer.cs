namespace AmiPki.Coap.BlockWise;

/// <summary>Cuts a response body into Block2 blocks (RFC 7959 §2.4).</summary>
public static class Block2Slicer
{
    /// <returns>false when the block starts beyond the body (answered 4.02 by the caller, RFC 7959 §2.2).</returns>
    public static bool TrySlice(ReadOnlyMemory<byte> body, int number, int sizeExponent, out ReadOnlyMemory<byte> slice, out bool more)
    {
        int size = BlockOptionValue.SizeFromExponent(sizeExponent);
        long offset = (long)number * size;
        if (offset > body.Length || (offset == body.Length && number != 0))
        {
            slice = ReadOnlyMemory<byte>.Empty;
            more = false;
            return false;
        }

        int length = (int)Math.Min(size, body.Length - offset);
        slice = body.Slice((int)offset, length);
        more = offset + length < body.Length;
        return true;
    }

    /// <summary>
    /// The block size for a response: the client's SZX if it asked for one, never above the server's
    /// preference (RFC 7959 §2.4: the server may answer with a smaller block than requested, not a larger one).
    /// </summary>
    public static int ChooseSizeExponent(BlockOptionValue? requested, int preferredSizeExponent) =>
        requested is { } block ? Math.Min(block.SizeExponent, preferredSizeExponent) : preferredSizeExponent;
}
