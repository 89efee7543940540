import { lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth/auth-context.tsx';
import { Layout } from './components/layout.tsx';
import { RequireAdmin } from './components/require-admin.tsx';
import { GalleryPage } from './pages/gallery-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { RegisterPage } from './pages/register-page.tsx';
import { SignedInPage } from './pages/signed-in-page.tsx';

// The player (hls.js), the uploader and the QR code library load with their pages only.
const VideoRoute = lazy(() =>
  import('./pages/video-page.tsx').then((module) => ({ default: module.VideoRoute })),
);
const UploadPage = lazy(() =>
  import('./pages/upload-page.tsx').then((module) => ({ default: module.UploadPage })),
);
const AccountPage = lazy(() =>
  import('./pages/account-page.tsx').then((module) => ({ default: module.AccountPage })),
);

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/gallery" replace />} />
        <Route path="login" element={<LoginPage />} />
        <Route path="register" element={<RegisterPage />} />
        <Route path="signed-in" element={<SignedInPage />} />
        <Route path="gallery" element={<GalleryPage key="public" scope="public" />} />
        <Route path="videos/:id" element={<VideoRoute />} />
        <Route
          path="my-videos"
          element={
            <RequireAuth>
              <GalleryPage key="mine" scope="mine" />
            </RequireAuth>
          }
        />
        <Route
          path="all-videos"
          element={
            <RequireAuth>
              <RequireAdmin>
                <GalleryPage key="all" scope="all" />
              </RequireAdmin>
            </RequireAuth>
          }
        />
        <Route
          path="upload"
          element={
            <RequireAuth>
              <UploadPage />
            </RequireAuth>
          }
        />
        {/* The batch page became the upload page; old links still land on it. */}
        <Route path="upload/batch" element={<Navigate to="/upload" replace />} />
        <Route
          path="account"
          element={
            <RequireAuth>
              <AccountPage />
            </RequireAuth>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
