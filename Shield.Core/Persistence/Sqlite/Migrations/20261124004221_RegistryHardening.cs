using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shield.Core.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RegistryHardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ToolDefinitions_ToolId_Fingerprint",
                table: "ToolDefinitions");

            migrationBuilder.AddColumn<Guid>(
                name: "Version",
                table: "Tools",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<string>(
                name: "DeclaredById",
                table: "ToolDecisions",
                type: "TEXT",
                maxLength: 256,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "DeclaredByKind",
                table: "ToolDecisions",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "LastDiscoveryRejections",
                table: "Servers",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.CreateIndex(
                name: "IX_ToolDefinitions_ToolId_Fingerprint",
                table: "ToolDefinitions",
                columns: new[] { "ToolId", "Fingerprint" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ToolDefinitions_ToolId_Fingerprint",
                table: "ToolDefinitions");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "Tools");

            migrationBuilder.DropColumn(
                name: "DeclaredById",
                table: "ToolDecisions");

            migrationBuilder.DropColumn(
                name: "DeclaredByKind",
                table: "ToolDecisions");

            migrationBuilder.DropColumn(
                name: "LastDiscoveryRejections",
                table: "Servers");

            migrationBuilder.CreateIndex(
                name: "IX_ToolDefinitions_ToolId_Fingerprint",
                table: "ToolDefinitions",
                columns: new[] { "ToolId", "Fingerprint" });
        }
    }
}
