import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <div className="py-16 text-center">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p className="mt-2 text-slate-500">There is nothing at this address.</p>
      <Link to="/gallery" className="btn-primary mt-6">
        Go to the gallery
      </Link>
    </div>
  );
}
