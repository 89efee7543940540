import { Video, type Visibility } from '@videoforge/contracts';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useApi } from '../../auth/auth-context.tsx';
import { Alert } from '../../components/alert.tsx';
import { errorMessage } from '../../lib/api-client.ts';

/** Title, description and visibility of the video (owners and admins). */
export function VideoEditPanel({
  video,
  onSaved,
  children,
}: {
  video: Video;
  onSaved: (video: Video) => void;
  /** Further actions beside Save (Delete). */
  children?: ReactNode;
}) {
  const api = useApi();
  const [title, setTitle] = useState(video.title);
  const [description, setDescription] = useState(video.description);
  const [visibility, setVisibility] = useState<Visibility>(video.visibility);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      const saved = await api.request('PATCH', `/api/videos/${video.id}`, {
        body: { title, description, visibility },
        schema: Video,
        auth: 'required',
      });
      onSaved(saved);
      setMessage({ kind: 'success', text: 'Saved.' });
    } catch (failure) {
      setMessage({ kind: 'error', text: errorMessage(failure) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
      onSubmit={(event) => void save(event)}
      aria-labelledby="edit-title"
    >
      <h2 id="edit-title" className="font-semibold">
        Edit
      </h2>
      <div>
        <label htmlFor="edit-video-title" className="field-label">
          Title
        </label>
        <input
          id="edit-video-title"
          className="field-input"
          required
          maxLength={200}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
        />
      </div>
      <div>
        <label htmlFor="edit-video-description" className="field-label">
          Description
        </label>
        <textarea
          id="edit-video-description"
          className="field-input"
          rows={3}
          maxLength={5000}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <div>
        <label htmlFor="edit-video-visibility" className="field-label">
          Visibility
        </label>
        <select
          id="edit-video-visibility"
          className="field-input"
          value={visibility}
          onChange={(event) => setVisibility(event.target.value as Visibility)}
        >
          <option value="public">Public</option>
          <option value="private">Private</option>
        </select>
      </div>
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <div className="flex justify-between gap-2">
        <button type="submit" className="btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        {children}
      </div>
    </form>
  );
}
