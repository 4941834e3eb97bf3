using Prynai.Bench;

return await BenchCommand.Create().Parse(args).InvokeAsync();
