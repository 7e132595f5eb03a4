using System.Collections;
using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace AmiPki.Server.Api;

/// <summary>
/// Turns the binding failures of minimal APIs (a query value that is no number, a JSON body that does not parse or does
/// not fit) into a field and a sentence for people: the field as the client wrote it (query parameter name, or JSON path
/// such as <c>serials[0].serial</c>) and what was expected (<c>limit must be a whole number</c>), never a .NET type or C#
/// parameter name, and never the value sent.
/// </summary>
internal static partial class BindingProblems
{
    public const string BodyField = "body";

    /// <summary>The field and sentence for a 400 <paramref name="bad"/> request of <paramref name="context"/>'s endpoint.</summary>
    public static (string Field, string Detail) Describe(HttpContext context, BadHttpRequestException bad)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(bad);
        var endpoint = context.GetEndpoint();
        if (bad.InnerException is JsonException json)
        {
            return DescribeJson(endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType, json);
        }
        var bind = BindFailure().Match(bad.Message);
        if (bind.Success)
        {
            var name = bind.Groups["name"].Value;
            var found = QueryParameter(endpoint?.Metadata.GetMetadata<MethodInfo>(), name);
            var field = found?.Field ?? CamelCase(name);
            var type = found?.Type;
            var expected = type is not null ? Expected(type) : ExpectedFromTypeText(bind.Groups["type"].Value);
            return (field, $"{field} must be {expected}");
        }
        if (bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
        {
            // "Required parameter \"RevokeRequest request\" was not provided from body", "Implicit body inferred ... but no body was provided".
            return (BodyField, "a JSON body is required (Content-Type: application/json)");
        }
        return (BodyField, "the request could not be read");
    }

    private static (string Field, string Detail) DescribeJson(Type? bodyType, JsonException json)
    {
        var path = json.Path is { Length: > 0 } p ? p : "$";
        var field = path == "$" ? BodyField : JsonPathField(path);
        // A reader failure (not JSON at all, a trailing comma, a truncated body) rather than a value of the wrong kind.
        if (json.InnerException?.GetType().Name == "JsonReaderException" || bodyType is null)
        {
            var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {(json.BytePositionInLine ?? 0) + 1})" : "";
            return (BodyField, $"the body is not valid JSON{where}");
        }
        var target = TypeAt(bodyType, path);
        var expected = target is null ? "a value of another kind" : Expected(target);
        return (field, field == BodyField ? $"the body must be {expected}" : $"{field} must be {expected}");
    }

    /// <summary>What a value of <paramref name="type"/> looks like in JSON or a query string.</summary>
    public static string Expected(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a string";
        }
        if (ElementType(type) is { } element)
        {
            return $"an array of {Plural(element)}";
        }
        return type switch
        {
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time in ISO 8601 (e.g. 2030-01-31T00:00:00Z)",
            _ when type == typeof(Guid) => "a UUID",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(CamelCase)),
            _ => "an object",
        };
    }

    private static string Plural(Type element)
    {
        var single = Expected(element);
        return single switch
        {
            "a string" => "strings",
            "a whole number" => "whole numbers",
            "an object" => "objects",
            _ => $"values, each {single}",
        };
    }

    private static string ExpectedFromTypeText(string text)
    {
        var core = NullableText().Replace(text, "$1").TrimEnd('?');
        return core switch
        {
            "int" or "long" or "short" or "uint" or "ulong" or "Int32" or "Int64" => "a whole number",
            "double" or "decimal" or "float" => "a number",
            "bool" or "Boolean" => "true or false",
            "DateTimeOffset" or "DateTime" => "a date and time in ISO 8601 (e.g. 2030-01-31T00:00:00Z)",
            "Guid" => "a UUID",
            _ => "a value of another kind",
        };
    }

    /// <summary>The query name and type of handler parameter <paramref name="name"/> (directly or inside an <c>[AsParameters]</c> type).</summary>
    private static (string Field, Type Type)? QueryParameter(MethodInfo? handler, string name)
    {
        if (handler is null)
        {
            return null;
        }
        foreach (var parameter in handler.GetParameters())
        {
            if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                var property = parameter.ParameterType.GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
                if (property is not null)
                {
                    return (property.GetCustomAttribute<FromQueryAttribute>()?.Name ?? CamelCase(property.Name), property.PropertyType);
                }
            }
            else if (string.Equals(parameter.Name, name, StringComparison.Ordinal))
            {
                return (parameter.GetCustomAttribute<FromQueryAttribute>()?.Name ?? parameter.Name!, parameter.ParameterType);
            }
        }
        return null;
    }

    /// <summary><c>$.serials[0].serial</c> → <c>serials[0].serial</c>; <c>$['odd name']</c> → <c>odd name</c>.</summary>
    private static string JsonPathField(string path) =>
        QuotedSegment().Replace(path, ".$1").TrimStart('$').TrimStart('.');

    /// <summary>The type the JSON path <paramref name="path"/> reaches from <paramref name="root"/>, or null if it leads nowhere known.</summary>
    private static Type? TypeAt(Type root, string path)
    {
        var current = root;
        foreach (Match segment in PathSegment().Matches(JsonPathField(path)))
        {
            if (segment.Groups["index"].Success)
            {
                current = ElementType(Nullable.GetUnderlyingType(current) ?? current);
            }
            else
            {
                var name = segment.Groups["name"].Value;
                current = (Nullable.GetUnderlyingType(current) ?? current).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .FirstOrDefault(p => string.Equals(p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name, name, StringComparison.OrdinalIgnoreCase))
                    ?.PropertyType;
            }
            if (current is null)
            {
                return null;
            }
        }
        return current;
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string))
        {
            return null;
        }
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        return type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var element] ? element : null;
    }

    private static string CamelCase(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    [GeneratedRegex("^Failed to bind parameter \"(?:(?<type>[^\"]*)\\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\" from")]
    private static partial Regex BindFailure();

    [GeneratedRegex(@"Nullable<([^>]*)>")]
    private static partial Regex NullableText();

    [GeneratedRegex(@"\['([^']*)'\]")]
    private static partial Regex QuotedSegment();

    [GeneratedRegex(@"(?<name>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();
}
