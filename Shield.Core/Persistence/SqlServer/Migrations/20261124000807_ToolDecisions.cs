using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shield.Core.Persistence.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ToolDecisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ToolDecisions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ServerName = table.Column<string>(type: "nvarchar(48)", maxLength: 48, nullable: false),
                    ToolName = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    State = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    Risk = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    Fingerprint = table.Column<string>(type: "nvarchar(80)", maxLength: 80, nullable: true),
                    DeclaredAtUtc = table.Column<DateTime>(type: "datetime2", nullable: false),
                    DeclaredBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ToolDecisions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ToolDecisions_ServerName_ToolName",
                table: "ToolDecisions",
                columns: new[] { "ServerName", "ToolName" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ToolDecisions");
        }
    }
}
