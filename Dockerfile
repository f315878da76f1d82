FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && SECRET_KEY=build DEBUG=0 python manage.py collectstatic --noinput
RUN useradd --system cybercoop && mkdir -p /app/media /var/lib/cybercoop/transparency && chown cybercoop /app/media /var/lib/cybercoop/transparency
USER cybercoop
EXPOSE 8000
