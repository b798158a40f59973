using Shield.Console.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddShieldConsole();

var app = builder.Build();
app.UseShieldConsole();
app.Run();
