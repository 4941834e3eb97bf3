using System.CommandLine;
using Prynai.SmokeClient;

var root = new RootCommand("Prynai MCP client: end-to-end smoke, tokens, load.")
{
    SmokeCommand.Create(),
    TokenCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
