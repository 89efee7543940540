import type { Video } from '@videoforge/contracts';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApi } from '../../auth/auth-context.tsx';
import { ConfirmDialog } from '../../components/confirm-dialog.tsx';
import { errorMessage } from '../../lib/api-client.ts';

/** "Delete video", confirmed in a dialog; on success the owner lands on their videos. */
export function VideoDeleteButton({
  video,
  onFailed,
}: {
  video: Pick<Video, 'id' | 'title'>;
  /** The page shows why the delete failed (the dialog closes). */
  onFailed: (message: string) => void;
}) {
  const api = useApi();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const remove = async () => {
    setDeleting(true);
    try {
      await api.request('DELETE', `/api/videos/${video.id}`, { auth: 'required' });
      await navigate('/my-videos', { replace: true });
    } catch (failure) {
      onFailed(errorMessage(failure));
      setConfirming(false);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <>
      <button type="button" className="btn-danger" onClick={() => setConfirming(true)}>
        Delete video
      </button>
      <ConfirmDialog
        open={confirming}
        title="Delete this video?"
        confirmLabel="Delete"
        busy={deleting}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void remove()}
      >
        “{video.title}” and all its renditions will be removed for good.
      </ConfirmDialog>
    </>
  );
}
