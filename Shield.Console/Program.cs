using Shield.Console.Demo;
using Shield.Console.Hosting;

RegexTimeout.Apply();
if (args is ["simulate-agent", .. var options])
{
    return await AgentSimulator.RunAsync(options, Console.Out);
}

var builder = WebApplication.CreateBuilder(DemoExtensions.WithDemoFlag(args));
builder.AddShieldConsole();

var app = builder.Build();
app.UseShieldConsole();
app.Run();
return 0;
