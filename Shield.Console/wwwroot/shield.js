// Small browser helpers for the console; loaded from this site only (the content security policy allows nothing else).
window.shield = {
  // Saves text as a file the person downloads, without a round trip to the server.
  download(fileName, contentType, text) {
    const url = URL.createObjectURL(new Blob([text], { type: contentType }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
  },
};
