using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shield.Core.Persistence.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class AddServerShareSessions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "ShareSessions",
                table: "Servers",
                type: "bit",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ShareSessions",
                table: "Servers");
        }
    }
}
