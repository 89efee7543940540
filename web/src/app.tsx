/** The gallery arrives with the web issue; for now the shell says what this is. */
export function App() {
  return (
    <main>
      <h1>VideoForge</h1>
      <p>Upload, transcode and stream your videos.</p>
    </main>
  );
}
