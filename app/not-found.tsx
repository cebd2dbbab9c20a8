import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-md px-4 py-24 text-center">
      <h1 className="text-lg font-semibold">Page not found</h1>
      <p className="mt-2 text-muted-foreground">There is nothing at this address, or you do not have access to it.</p>
      <Link href="/plants" className="mt-4 inline-block text-primary underline underline-offset-4">
        Back to plants
      </Link>
    </main>
  );
}
