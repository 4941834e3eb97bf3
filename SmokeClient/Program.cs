using System.CommandLine;
using Prynai.SmokeClient;

var root = new RootCommand("Prynai MCP client: end-to-end smoke test of a server (smoke), Entra ID tokens (token).")
{
    SmokeCommand.Create(),
    TokenCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
