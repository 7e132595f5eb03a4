using AmiPki.Coap.Messages;

namespace AmiPki.Coap.Tests.Support;

/// <summary>Random datagrams: pure noise, and mutations of valid messages (which reach deeper code).</summary>
public static class RandomDatagrams
{
    public static byte[] Next(Random random)
    {
        switch (random.Next(3))
        {
            case 0:
                var noise = new byte[random.Next(0, 64)];
                random.NextBytes(noise);
                return noise;
            default:
                var valid = ValidMessage(random).Encode();
                int flips = random.Next(1, 4);
                for (int i = 0; i < flips && valid.Length > 0; i++)
                {
                    valid[random.Next(valid.Length)] ^= (byte)(1 << random.Next(8));
                }

                return random.Next(4) == 0 ? valid[..random.Next(valid.Length + 1)] : valid;
        }
    }

    public static CoapMessage ValidMessage(Random random)
    {
        var token = new byte[random.Next(0, 9)];
        random.NextBytes(token);
        int[] numbers = [1, 3, 4, 6, 7, 11, 12, 14, 15, 17, 23, 27, 28, 35, 60, 2049, 65000];
        var options = Enumerable.Range(0, random.Next(0, 6)).Select(_ =>
        {
            var value = new byte[random.Next(0, random.Next(2) == 0 ? 5 : 300)];
            random.NextBytes(value);
            return new CoapOption(numbers[random.Next(numbers.Length)], value);
        }).ToList();
        var payload = new byte[random.Next(0, 100)];
        random.NextBytes(payload);
        byte[] codes = [CoapCode.Get, CoapCode.Post, CoapCode.Put, CoapCode.Delete, CoapCode.Content, 0x21, 0xE0];
        return new CoapMessage((CoapMessageType)random.Next(4), codes[random.Next(codes.Length)], (ushort)random.Next(65536), token, options, payload);
    }
}
