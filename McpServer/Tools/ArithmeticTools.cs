using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Prynai.McpServer.Tools;

/// <summary>add, multiply, divide: the original system's arithmetic tools, typed and with structured results.</summary>
[McpServerToolType]
public sealed class ArithmeticTools
{
    [McpServerTool(Name = "add", Title = "Add", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Adds two numbers and returns their sum.")]
    public static ArithmeticResult Add(
        [Description("The first addend.")] double a,
        [Description("The second addend.")] double b) => Checked("add", a + b);

    [McpServerTool(Name = "multiply", Title = "Multiply", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Multiplies two numbers and returns their product.")]
    public static ArithmeticResult Multiply(
        [Description("The first factor.")] double a,
        [Description("The second factor.")] double b) => Checked("multiply", a * b);

    [McpServerTool(Name = "divide", Title = "Divide", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Divides a by b and returns the quotient. Dividing by zero is an error, never NaN or infinity.")]
    public static async Task<ArithmeticResult> Divide(
        RequestContext<CallToolRequestParams> request,
        [Description("The dividend.")] double a,
        [Description("The divisor; must not be zero.")] double b,
        CancellationToken cancellationToken)
    {
        if (b == 0)
        {
            await request.WarningAsync($"divide: refused to divide {a} by zero", cancellationToken);
            throw new McpException("Cannot divide by zero: 'b' must be a non-zero number.");
        }
        return Checked("divide", a / b);
    }

    private static ArithmeticResult Checked(string operation, double value) => double.IsFinite(value)
        ? new ArithmeticResult(value)
        : throw new McpException($"The result of {operation} is outside the range of a double-precision number.");
}

/// <summary>The result of an arithmetic tool.</summary>
/// <param name="Result">The computed value.</param>
public sealed record ArithmeticResult([property: Description("The computed value.")] double Result);
